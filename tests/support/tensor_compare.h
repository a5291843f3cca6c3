// Tensor comparisons with the fixtures' documented error measures.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <string>

namespace lienzo::testing {

/// The device golden tests run their modules on: $LIENZO_TEST_DEVICE ("cpu" by default, "cuda",
/// "cuda:1"). On CUDA it turns TF32 off (cuDNN convolutions and cuBLAS) so float32 means float32
/// there too. Comparisons below accept tensors on any device.
c10::Device testDevice();
/// Whether `device` can run float16 compute (matmul, softmax, GELU); libtorch 1.13's CPU cannot.
bool halfKernelsOn(const c10::Device& device);

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
