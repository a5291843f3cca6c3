// libFuzzer target: the untrusted names of LoRA-family files and prompts — adapter tensor keys
// (core/adapters/adapter_keys.h) and A1111 extra-network tags (core/adapters/prompt_networks.h).
// Input: "<tensor key>\n<prompt>". Properties: splitting and resolving a key never throws and a
// resolved key is one of the model's; taking the tags out of a prompt never lengthens it, and
// every tag found lies inside it; setLoraTag / renameLoraTags keep the text outside the tags.
#include "core/adapters/adapter_keys.h"
#include "core/adapters/prompt_networks.h"
#include "tests/fuzz/fuzz_support.h"

#include <algorithm>
#include <string>
#include <vector>

using namespace lienzo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string key = input.substr(0, newline);
  const std::string prompt =
      newline == std::string::npos ? std::string() : input.substr(newline + 1);

  static const std::vector<std::string> kModel{
      "model.diffusion_model.input_blocks.1.1.proj_in.weight",
      "model.diffusion_model.output_blocks.2.1.conv.weight",
      "cond_stage_model.transformer.text_model.encoder.layers.0.mlp.fc1.weight",
      "conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight"};
  for (const bool sdxl : {false, true}) {
    const AdapterKey k = splitAdapterKey(key, sdxl);
    for (const AdapterFamily family : {AdapterFamily::Sd1, AdapterFamily::Sdxl}) {
      const AdapterKeyIndex index(kModel, family);
      std::string why;
      const auto target = index.resolve(k.module, &why);
      if (target) {
        LIENZO_FUZZ_CHECK(std::find(kModel.begin(), kModel.end(), target->checkpointKey) !=
                          kModel.end());
        LIENZO_FUZZ_CHECK(target->rowBlock >= -1 && target->rowBlock <= 2);
      } else {
        LIENZO_FUZZ_CHECK(!why.empty());
      }
    }
  }

  const PromptNetworks networks = extractPromptNetworks(prompt);
  LIENZO_FUZZ_CHECK(networks.prompt.size() <= prompt.size());
  for (const auto& lora : networks.loras) {
    LIENZO_FUZZ_CHECK(lora.begin < lora.end && lora.end <= prompt.size());
    LIENZO_FUZZ_CHECK(prompt[lora.begin] == '<' && prompt[lora.end - 1] == '>');
  }
  const std::string name = key.substr(0, std::min<size_t>(key.size(), 16));
  const std::string edited = setLoraTag(prompt, name, 0.5, 1.0);
  (void)extractPromptNetworks(edited);
  (void)renameLoraTags(prompt, name, "renamed");
  return 0;
}
