// Tensor comparisons with the fixtures' documented error measures.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

namespace lienzo::testing {

/// max|actual - expected| / max|expected| (absolute error when max|expected| < 1e-12), in float64.
double relativeMaxError(const at::Tensor& actual, const at::Tensor& expected);

/// EXPECTs equal shapes and relativeMaxError <= tol; `what` names the tensor in messages.
void expectTensorNear(const at::Tensor& actual, const at::Tensor& expected, double tol,
                      const std::string& what);

/// EXPECTs equal shapes and |a - e| <= atol + rtol * |e| elementwise (reports the worst element).
void expectAllClose(const at::Tensor& actual, const at::Tensor& expected, double atol, double rtol,
                    const std::string& what);

/// EXPECTs equal shapes and identical values (integer tensors, token ids).
void expectTensorEqual(const at::Tensor& actual, const at::Tensor& expected,
                       const std::string& what);

}  // namespace lienzo::testing
