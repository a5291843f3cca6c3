#include "core/train/train_data.h"

#include "core/io/safetensors.h"
#include "core/text/sp_tokenizer.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lienzo::train {

at::Tensor imageToTensor(const RgbImage& image) {
  auto hwc = at::from_blob(const_cast<uint8_t*>(image.pixels.data()),
                           {image.height, image.width, 3}, at::kByte);            // [H,W,3] uint8
  return hwc.permute({2, 0, 1}).to(at::kFloat).div(127.5).sub(1.0).contiguous();  // [3,H,W]
}

RgbImage tensorToImage(const at::Tensor& image) {
  if (image.dim() != 3 || image.size(0) != 3)
    throw std::invalid_argument("tensorToImage: expected [3,H,W]");
  const auto bytes = ((image.detach().to(at::kFloat).cpu().clamp(-1, 1) + 1.0) * 127.5)
                         .round()
                         .to(at::kByte)
                         .permute({1, 2, 0})
                         .contiguous();  // [H,W,3]
  RgbImage out;
  out.height = int(image.size(1));
  out.width = int(image.size(2));
  out.pixels.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
  return out;
}

at::Tensor renderBatch(const std::vector<Scene>& scenes, int side) {
  auto out = at::empty({int64_t(scenes.size()), 3, side, side}, at::kFloat);  // [B,3,S,S]
  // Scenes render independently (render() is pure): spread them over libtorch's threads.
  at::parallel_for(0, int64_t(scenes.size()), 4, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      out[i].copy_(imageToTensor(render(scenes[std::size_t(i)], side)));
  });
  return out;
}

at::Tensor renderTrainingBatch(std::mt19937_64& rng, int64_t count, int side) {
  std::vector<Scene> scenes;
  scenes.reserve(size_t(count));
  for (int64_t i = 0; i < count; ++i) scenes.push_back(sampleScene(trainingSeed(rng)));
  return renderBatch(scenes, side);  // [B,3,S,S]
}

uint64_t heldOutSeed(int64_t index) {
  return 0x8000000000000000ull + uint64_t(index);
}

uint64_t trainingSeed(std::mt19937_64& rng) {
  return rng() >> 1;
}

std::vector<std::string> sampleCaptions(const std::vector<Scene>& scenes, std::mt19937_64& rng,
                                        double dropout) {
  std::vector<std::string> out;
  out.reserve(scenes.size());
  for (const auto& scene : scenes) {
    const Language lang = bernoulli(rng, 0.5) ? Language::Spanish : Language::English;
    std::string text = caption(scene, lang, rng);
    if (bernoulli(rng, dropout)) text.clear();
    out.push_back(std::move(text));
  }
  return out;
}

at::Tensor tokenize(const SpTokenizer& tokenizer, const std::vector<std::string>& texts,
                    int64_t tokens) {
  auto ids = at::empty({int64_t(texts.size()), tokens}, at::kLong);  // [B,N]
  auto* p = ids.data_ptr<int64_t>();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto row = tokenizer.encodePadded(texts[i], int(tokens));
    std::copy(row.begin(), row.end(), p + i * tokens);
  }
  return ids;
}

KindWeightedSampler::KindWeightedSampler(const std::vector<Scene>& scenes,
                                         const std::array<double, kSceneKindCount>& weights) {
  for (double w : weights)
    if (!(w >= 0) || !std::isfinite(w))
      throw std::invalid_argument("scene kind weights must be finite and not negative");
  m_cumulative.reserve(scenes.size());
  double sum = 0;
  for (const Scene& s : scenes) {
    sum += weights[static_cast<int>(s.kind)];
    m_cumulative.push_back(sum);
  }
  if (!(sum > 0))
    throw std::invalid_argument("scene kind weights give every cached scene weight 0");
}

int64_t KindWeightedSampler::draw(std::mt19937_64& rng) const {
  // Inverse CDF: the first scene whose running sum exceeds u·total. Zero-weight scenes repeat the
  // previous sum, so upper_bound never lands on one; when u·total rounds up to the total, the
  // first scene reaching the total (the last with weight) is the one.
  const double total = m_cumulative.back();
  const double u = uniformUnit(rng) * total;
  auto it = std::upper_bound(m_cumulative.begin(), m_cumulative.end(), u);
  if (it == m_cumulative.end())
    it = std::lower_bound(m_cumulative.begin(), m_cumulative.end(), total);
  return it - m_cumulative.begin();
}

std::array<double, kSceneKindCount> parseKindWeights(const std::string& text) {
  std::array<double, kSceneKindCount> weights;
  weights.fill(1.0);
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    const std::string part = text.substr(begin, end - begin);
    const std::size_t eq = part.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("kind weight '" + part + "' is not KIND=WEIGHT");
    const SceneKind kind = sceneKindFromName(part.substr(0, eq));
    const std::string value = part.substr(eq + 1);
    std::size_t used = 0;
    double w = -1;
    try {
      w = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value.size() || !(w >= 0) || !std::isfinite(w))
      throw std::invalid_argument("kind weight '" + part + "': the weight must be a number >= 0");
    weights[static_cast<int>(kind)] = w;
    begin = end + 1;
  }
  return weights;
}

LatentCache LatentCache::build(int64_t count, uint64_t seed, int side, int64_t batch,
                               const std::function<at::Tensor(const at::Tensor&)>& encode,
                               const std::function<void(int64_t, int64_t)>& progress) {
  LatentCache cache;
  std::mt19937_64 rng(seed);
  std::vector<at::Tensor> parts;
  for (int64_t done = 0; done < count;) {
    const int64_t n = std::min(batch, count - done);
    std::vector<Scene> scenes;
    for (int64_t i = 0; i < n; ++i) {
      cache.seeds.push_back(trainingSeed(rng));
      scenes.push_back(sampleScene(cache.seeds.back()));
    }
    parts.push_back(encode(renderBatch(scenes, side)).detach().to(at::kFloat).contiguous());
    cache.scenes.insert(cache.scenes.end(), scenes.begin(), scenes.end());
    done += n;
    if (progress) progress(done, count);
  }
  cache.latents = at::cat(parts, 0);  // [N,C,h,w]
  return cache;
}

void LatentCache::save(const std::filesystem::path& file) const {
  auto seedT = at::empty({int64_t(seeds.size())}, at::kLong);
  for (std::size_t i = 0; i < seeds.size(); ++i)
    seedT.data_ptr<int64_t>()[i] = static_cast<int64_t>(seeds[i]);
  writeSafetensors(file, {{"latents", latents}, {"seeds", seedT}});
}

LatentCache LatentCache::load(const std::filesystem::path& file) {
  const auto st = SafetensorsFile::open(file);
  LatentCache cache;
  cache.latents = st.load("latents", at::kFloat).clone();
  const auto seedT = st.load("seeds").clone();
  if (seedT.scalar_type() != at::kLong || seedT.size(0) != cache.latents.size(0))
    throw std::runtime_error(file.string() + ": malformed latent cache");
  for (int64_t i = 0; i < seedT.size(0); ++i) {
    cache.seeds.push_back(static_cast<uint64_t>(seedT.data_ptr<int64_t>()[i]));
    cache.scenes.push_back(sampleScene(cache.seeds.back()));
  }
  return cache;
}

}  // namespace lienzo::train
