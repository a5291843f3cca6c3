// ggml element types and their CPU dequantization (the block formats GGUF files store).
//
// Contract
// - The type table (ggmlTypeInfo) is the one place that knows every ggml type id a GGUF file may
//   name: its block length (elements per block) and block size (bytes per block). Ids that ggml
//   removed or never assigned are unknown (ggmlTypeFromId returns nullopt).
// - dequantizeGgml()/dequantizeGgmlBf16() turn `elements` values of `type` (a whole number of
//   blocks) from `src` into float32 / bfloat16 (round to nearest even). They read exactly
//   ggmlByteSize(type, elements) bytes from `src` and write `elements` values; the caller
//   guarantees both spans (std::invalid_argument for a partial block, an unsupported type or
//   a size that overflows). Supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K,
//   Q4_K, Q5_K, Q6_K (ggmlDequantizable()).
// - Pure functions, torch-free; thread-safe (callers split large tensors into block ranges).
//
// Ref: the block layouts of ggml (ggml/src/ggml-common.h, block_q*_K and friends) and the
// formulas of ggml/src/ggml-quants.c dequantize_row_*; docs/gguf.md restates them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace lienzo {

/// ggml_type ids as stored in GGUF tensor infos (values are the on-disk numbers).
enum class GgmlType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
  NVFP4 = 40,
  Q1_0 = 41,
};

struct GgmlTypeInfo {
  GgmlType type;
  const char* name;      ///< "Q4_K", as ggml and gguf-py spell it
  uint32_t blockLength;  ///< elements per block (1 for plain types)
  uint32_t blockBytes;   ///< bytes per block
  bool dequantizable;    ///< Lienzo has a CPU kernel for it
};

/// The table row of a known id; nullopt for ids ggml removed (4, 5, 31-33, 36-38) or never used.
std::optional<GgmlTypeInfo> ggmlTypeFromId(uint32_t id);
/// The row of a known type (never fails for an enumerator).
const GgmlTypeInfo& ggmlTypeInfo(GgmlType type);
const char* ggmlTypeName(GgmlType type);
bool ggmlDequantizable(GgmlType type);
/// Comma-separated names of the dequantizable types, for error messages.
const char* ggmlDequantizableList();

/// Bytes of `elements` values of `type`; nullopt when `elements` is not a whole number of blocks
/// or the product overflows.
std::optional<uint64_t> ggmlByteSize(GgmlType type, uint64_t elements);

/// IEEE half / bfloat16 bit patterns to float (exact; NaN and infinities kept).
float halfToFloat(uint16_t bits);
float bf16ToFloat(uint16_t bits);
/// float to bfloat16 with round-to-nearest-even (NaN stays a quiet NaN).
uint16_t floatToBf16(float value);

/// Dequantizes `elements` values (see the contract). Throws std::invalid_argument.
void dequantizeGgml(GgmlType type, const uint8_t* src, uint64_t elements, float* dst);
/// The same into bfloat16 bit patterns (through a small float buffer per block).
void dequantizeGgmlBf16(GgmlType type, const uint8_t* src, uint64_t elements, uint16_t* dst);

/// Packs `elements` floats (a whole number of blocks) as `type` into ggmlByteSize(type, elements)
/// bytes at `dst`, with ggml's reference rounding (quantize_row_*_ref): Q8_0 d = max|x| / 127,
/// q = round(x / d); Q4_0 d = x_maxabs / −8, q = min(15, trunc(x / d + 8.5)); F32/F16/BF16 plain
/// (F16 and BF16 rounded to nearest even). For benchmarks and test files (`lienzo bench
/// --quant`); throws std::invalid_argument for other types or a partial block.
void quantizeGgml(GgmlType type, const float* src, uint64_t elements, uint8_t* dst);
/// float to IEEE half with round-to-nearest-even (overflow to ±inf, NaN kept).
uint16_t floatToHalf(float value);

}  // namespace lienzo
