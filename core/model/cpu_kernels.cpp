// CPU kernels of core/model/cpu_kernels.h: the fused GroupNorm(+SiLU) for float32/BF16 in NCHW
// or channels_last, AVX-512 where the CPU has it, scalar elsewhere.
#include "core/model/cpu_kernels.h"

#include "core/model/layers.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace lienzo {

namespace cpu {

void parallelRanges(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int64_t parts = std::clamp<int64_t>(
      std::min<int64_t>(at::get_num_threads(), n / std::max<int64_t>(grain, 1)), 1, n);
  if (parts == 1 || at::in_parallel_region()) {
    fn(0, n);
    return;
  }
  const int64_t step = (n + parts - 1) / parts;
  std::vector<std::future<void>> others;
  for (int64_t begin = step; begin < n; begin += step) {
    const int64_t end = std::min(n, begin + step);
    auto task = std::make_shared<std::packaged_task<void()>>([&fn, begin, end] { fn(begin, end); });
    others.push_back(task->get_future());
    at::launch([task] { (*task)(); });
  }
  std::exception_ptr first;
  try {
    fn(0, std::min(n, step));
  } catch (...) {
    first = std::current_exception();
  }
  for (auto& other : others) {  // always wait for every range: they reference fn
    try {
      other.get();
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

namespace {

using BF16 = c10::BFloat16;

inline float toFloat(float v) {
  return v;
}
inline float toFloat(BF16 v) {
  return static_cast<float>(v);
}
template <typename T>
inline T fromFloat(float v) {
  return static_cast<T>(v);  // BFloat16: round to nearest even, NaN -> quiet NaN
}
inline float siluScalar(float v) {
  return v / (1.0f + std::exp(-v));
}

/// Smallest share of work worth another thread (a wake-up costs tens of microseconds).
constexpr int64_t kGrainElements = 1 << 16;

// Portable loops. Sums run over blocks of kBlock elements in float32, flushed into float64.
constexpr int64_t kBlock = 4096;

/// Σ (x - shift)^(Square ? 2 : 1) over n contiguous elements.
template <typename T, bool Square>
double reduceSpanScalar(const T* x, int64_t n, float shift) {
  double total = 0;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    float acc[8] = {};
    int64_t i = start;
    for (; i + 8 <= end; i += 8)
      for (int j = 0; j < 8; ++j) {
        const float d = toFloat(x[i + j]) - shift;
        acc[j] += Square ? d * d : d;
      }
    for (; i < end; ++i) {
      const float d = toFloat(x[i]) - shift;
      acc[0] += Square ? d * d : d;
    }
    for (float a : acc) total += a;
  }
  return total;
}

/// out[c] += Σ_rows (x[r][c] - shift[c])^(Square ? 2 : 1) over rows of `channels` elements.
template <typename T, bool Square>
void reduceRowsScalar(const T* x, int64_t rows, int64_t channels, const float* shift, double* out) {
  std::vector<float> acc(channels);
  for (int64_t start = 0; start < rows; start += 256) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (int64_t r = start; r < std::min(rows, start + 256); ++r)
      for (int64_t c = 0; c < channels; ++c) {
        const float d = toFloat(x[r * channels + c]) - shift[c];
        acc[c] += Square ? d * d : d;
      }
    for (int64_t c = 0; c < channels; ++c) out[c] += acc[c];
  }
}

/// y[r][c] = x[r][c]·a[c % period] + b[c % period] (then SiLU) over `count` elements, where a and b
/// repeat with `period` (1 for one channel of NCHW, C for NHWC rows).
template <typename T>
void applyScalar(const T* x, T* y, int64_t count, int64_t period, const float* a, const float* b,
                 bool silu) {
  for (int64_t i = 0; i < count; ++i) {
    const int64_t c = period == 1 ? 0 : i % period;
    const float v = toFloat(x[i]) * a[c] + b[c];
    y[i] = fromFloat<T>(silu ? siluScalar(v) : v);
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12 reports -Wmaybe-uninitialized inside avx512fintrin.h (_mm512_undefined_* helpers).
#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define LIENZO_HAVE_AVX512_KERNELS 1
#define LIENZO_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

LIENZO_AVX512 inline __m512 load16(const float* p, __mmask16 m) {
  return _mm512_maskz_loadu_ps(m, p);
}
LIENZO_AVX512 inline __m512 load16(const BF16* p, __mmask16 m) {
  const __m256i h = _mm256_maskz_loadu_epi16(m, p);
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}
LIENZO_AVX512 inline void store16(float* p, __m512 v, __mmask16 m) {
  _mm512_mask_storeu_ps(p, m, v);
}
/// float -> bfloat16 as c10::BFloat16 does: round to nearest even, NaN -> 0x7FC0.
LIENZO_AVX512 inline void store16(BF16* p, __m512 v, __mmask16 m) {
  const __m512i bits = _mm512_castps_si512(v);
  const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
  __m512i r = _mm512_srli_epi32(
      _mm512_add_epi32(bits, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7FFF))), 16);
  r = _mm512_mask_mov_epi32(r, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), _mm512_set1_epi32(0x7FC0));
  _mm256_mask_storeu_epi16(p, m, _mm512_cvtepi32_epi16(r));
}
LIENZO_AVX512 inline __mmask16 tailMask(int64_t left) {
  return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
}

/// e^x, Cephes expf polynomial (≈1 ulp on [-87, 88]); 2^n applied with scalef, so large |x|
/// give 0 or inf as expected.
LIENZO_AVX512 inline __m512 exp16(__m512 x) {
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_scalef_ps(p, n);
}
LIENZO_AVX512 inline __m512 silu16(__m512 v) {
  const __m512 one = _mm512_set1_ps(1.0f);
  return _mm512_div_ps(v, _mm512_add_ps(one, exp16(_mm512_sub_ps(_mm512_setzero_ps(), v))));
}

template <typename T, bool Square>
LIENZO_AVX512 double reduceSpanAvx512(const T* x, int64_t n, float shift) {
  const __m512 s = _mm512_set1_ps(shift);
  double total = 0;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    int64_t i = start;
    for (; i + 32 <= end; i += 32) {
      const __m512 d0 = _mm512_sub_ps(load16(x + i, 0xFFFF), s);
      const __m512 d1 = _mm512_sub_ps(load16(x + i + 16, 0xFFFF), s);
      acc0 = Square ? _mm512_fmadd_ps(d0, d0, acc0) : _mm512_add_ps(acc0, d0);
      acc1 = Square ? _mm512_fmadd_ps(d1, d1, acc1) : _mm512_add_ps(acc1, d1);
    }
    for (; i < end; i += 16) {
      const __mmask16 m = tailMask(end - i);
      const __m512 d = _mm512_maskz_sub_ps(m, load16(x + i, m), s);
      acc0 = Square ? _mm512_fmadd_ps(d, d, acc0) : _mm512_add_ps(acc0, d);
    }
    total += _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
  }
  return total;
}

template <typename T, bool Square>
LIENZO_AVX512 void reduceRowsAvx512(const T* x, int64_t rows, int64_t channels, const float* shift,
                                    double* out) {
  std::vector<float> acc(channels);
  for (int64_t start = 0; start < rows; start += 256) {
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (int64_t r = start; r < std::min(rows, start + 256); ++r) {
      const T* row = x + r * channels;
      for (int64_t c = 0; c < channels; c += 16) {
        const __mmask16 m = tailMask(channels - c);
        const __m512 d = _mm512_sub_ps(load16(row + c, m), _mm512_maskz_loadu_ps(m, shift + c));
        const __m512 a = _mm512_maskz_loadu_ps(m, acc.data() + c);
        _mm512_mask_storeu_ps(acc.data() + c, m,
                              Square ? _mm512_fmadd_ps(d, d, a) : _mm512_add_ps(a, d));
      }
    }
    for (int64_t c = 0; c < channels; ++c) out[c] += acc[c];
  }
}

template <typename T>
LIENZO_AVX512 void applyAvx512(const T* x, T* y, int64_t count, int64_t period, const float* a,
                               const float* b, bool silu) {
  if (period == 1) {
    const __m512 va = _mm512_set1_ps(a[0]), vb = _mm512_set1_ps(b[0]);
    for (int64_t i = 0; i < count; i += 16) {
      const __mmask16 m = tailMask(count - i);
      __m512 v = _mm512_fmadd_ps(load16(x + i, m), va, vb);
      store16(y + i, silu ? silu16(v) : v, m);
    }
    return;
  }
  for (int64_t row = 0; row < count; row += period) {
    for (int64_t c = 0; c < period; c += 16) {
      const __mmask16 m = tailMask(period - c);
      __m512 v = _mm512_fmadd_ps(load16(x + row + c, m), _mm512_maskz_loadu_ps(m, a + c),
                                 _mm512_maskz_loadu_ps(m, b + c));
      store16(y + row + c, silu ? silu16(v) : v, m);
    }
  }
}
#pragma GCC diagnostic pop
#endif  // x86-64 GCC/Clang

bool hasAvx512() {
#ifdef LIENZO_HAVE_AVX512_KERNELS
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  return has;
#else
  return false;
#endif
}

template <typename T, bool Square>
double reduceSpan(const T* x, int64_t n, float shift) {
#ifdef LIENZO_HAVE_AVX512_KERNELS
  if (hasAvx512()) return reduceSpanAvx512<T, Square>(x, n, shift);
#endif
  return reduceSpanScalar<T, Square>(x, n, shift);
}

template <typename T, bool Square>
void reduceRows(const T* x, int64_t rows, int64_t channels, const float* shift, double* out) {
#ifdef LIENZO_HAVE_AVX512_KERNELS
  if (hasAvx512()) return reduceRowsAvx512<T, Square>(x, rows, channels, shift, out);
#endif
  reduceRowsScalar<T, Square>(x, rows, channels, shift, out);
}

template <typename T>
void apply(const T* x, T* y, int64_t count, int64_t period, const float* a, const float* b,
           bool silu) {
#ifdef LIENZO_HAVE_AVX512_KERNELS
  if (hasAvx512()) return applyAvx512<T>(x, y, count, period, a, b, silu);
#endif
  applyScalar<T>(x, y, count, period, a, b, silu);
}

/// Per-channel Σ (x - shift[c])^k of one image: NCHW spans or NHWC rows, over two threads.
template <typename T, bool Square>
void channelSums(const T* x, int64_t channels, int64_t pixels, bool channelsLast,
                 const float* shift, double* out) {
  if (!channelsLast) {
    parallelRanges(channels, kGrainElements / pixels, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c)
        out[c] = reduceSpan<T, Square>(x + c * pixels, pixels, shift[c]);
    });
    return;
  }
  std::mutex mutex;
  std::fill(out, out + channels, 0.0);
  parallelRanges(pixels, kGrainElements / channels, [&](int64_t begin, int64_t end) {
    std::vector<double> local(channels, 0.0);
    reduceRows<T, Square>(x + begin * channels, end - begin, channels, shift, local.data());
    const std::lock_guard<std::mutex> lock(mutex);
    for (int64_t c = 0; c < channels; ++c) out[c] += local[c];
  });
}

// Ref: Wu & He, "Group Normalization" (2018); the affine form y = x·a + b with a = γ·rstd,
// b = β - mean·a is what ATen's CPU kernel computes too.
template <typename T>
void groupNormImage(const T* x, T* y, int64_t channels, int64_t pixels, bool channelsLast,
                    int64_t groups, const float* gamma, const float* beta, double eps, bool silu) {
  const int64_t perGroup = channels / groups;
  const double count = static_cast<double>(perGroup * pixels);
  std::vector<double> sums(channels);
  std::vector<float> shift(channels, 0.0f), a(channels), b(channels);
  auto perGroupTotal = [&](int64_t g) {
    double t = 0;
    for (int64_t c = g * perGroup; c < (g + 1) * perGroup; ++c) t += sums[c];
    return t;
  };
  channelSums<T, false>(x, channels, pixels, channelsLast, shift.data(), sums.data());
  std::vector<double> mean(groups);
  for (int64_t g = 0; g < groups; ++g) {
    mean[g] = perGroupTotal(g) / count;
    for (int64_t c = g * perGroup; c < (g + 1) * perGroup; ++c)
      shift[c] = static_cast<float>(mean[g]);
  }
  channelSums<T, true>(x, channels, pixels, channelsLast, shift.data(), sums.data());
  for (int64_t g = 0; g < groups; ++g) {
    // Centred on the float32-rounded mean: Σ(x-m')² = Σ(x-m)² + n(m-m')², corrected below.
    const double dm = mean[g] - static_cast<double>(shift[g * perGroup]);
    const double var = std::max(perGroupTotal(g) / count - dm * dm, 0.0);
    const double rstd = 1.0 / std::sqrt(var + eps);
    for (int64_t c = g * perGroup; c < (g + 1) * perGroup; ++c) {
      a[c] = static_cast<float>(rstd * gamma[c]);
      b[c] = static_cast<float>(beta[c] - mean[g] * rstd * gamma[c]);
    }
  }
  if (!channelsLast) {
    parallelRanges(channels, kGrainElements / pixels, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c)
        apply<T>(x + c * pixels, y + c * pixels, pixels, 1, &a[c], &b[c], silu);
    });
  } else {
    parallelRanges(pixels, kGrainElements / channels, [&](int64_t begin, int64_t end) {
      apply<T>(x + begin * channels, y + begin * channels, (end - begin) * channels, channels,
               a.data(), b.data(), silu);
    });
  }
}

}  // namespace

bool groupNormSupported(const at::Tensor& x, const at::Tensor& weight) {
  if (!x.defined() || !x.is_cpu() || x.dim() != 4 || x.numel() == 0) return false;
  if (x.scalar_type() != at::kFloat && x.scalar_type() != at::kBFloat16) return false;
  if (c10::GradMode::is_enabled() && (x.requires_grad() || weight.requires_grad())) return false;
  return x.is_contiguous() || x.is_contiguous(at::MemoryFormat::ChannelsLast);
}

at::Tensor groupNorm(const at::Tensor& x, int64_t groups, const at::Tensor& weight,
                     const at::Tensor& bias, double eps, bool silu) {
  TORCH_CHECK(groupNormSupported(x, weight), "cpu::groupNorm: unsupported input");
  const int64_t batch = x.size(0), channels = x.size(1), pixels = x.size(2) * x.size(3);
  TORCH_CHECK(groups > 0 && channels % groups == 0, "cpu::groupNorm: ", channels,
              " channels do not split into ", groups, " groups");
  const bool channelsLast = !x.is_contiguous();  // then channels_last (checked above)
  const at::Tensor gamma = weight.to(at::kFloat).contiguous();  // [C]
  const at::Tensor beta = bias.to(at::kFloat).contiguous();     // [C]
  at::Tensor y = at::empty_like(x);                             // same layout
  const int64_t imageSize = channels * pixels;
  for (int64_t n = 0; n < batch; ++n) {
    if (x.scalar_type() == at::kFloat) {
      groupNormImage<float>(x.data_ptr<float>() + n * imageSize,
                            y.data_ptr<float>() + n * imageSize, channels, pixels, channelsLast,
                            groups, gamma.data_ptr<float>(), beta.data_ptr<float>(), eps, silu);
    } else {
      groupNormImage<BF16>(x.data_ptr<BF16>() + n * imageSize, y.data_ptr<BF16>() + n * imageSize,
                           channels, pixels, channelsLast, groups, gamma.data_ptr<float>(),
                           beta.data_ptr<float>(), eps, silu);
    }
  }
  return y;
}

at::Tensor groupNormSilu(GroupNormImpl& norm, const at::Tensor& x) {
  const GroupNormOptions& o = norm.options;
  if (o.groups > 0 && groupNormSupported(x, norm.weight))
    return groupNorm(x, o.groups, norm.weight, norm.bias, o.eps, /*silu=*/true);
  return at::silu(norm.forward(x));
}

}  // namespace cpu

}  // namespace lienzo
