#include "support/tensor_compare.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cstdlib>
#include <sstream>

namespace lienzo::testing {
namespace {

std::string shapeString(const at::Tensor& t) {
  std::ostringstream os;
  os << t.sizes();
  return os.str();
}

bool sameShape(const at::Tensor& a, const at::Tensor& e, const std::string& what) {
  if (a.sizes() == e.sizes()) return true;
  ADD_FAILURE() << what << ": shape " << shapeString(a) << " != expected " << shapeString(e);
  return false;
}

}  // namespace

c10::Device testDevice() {
  const char* env = std::getenv("LIENZO_TEST_DEVICE");
  const c10::Device device(env && *env ? std::string(env) : std::string("cpu"));
  if (device.is_cuda()) {
    at::globalContext().setAllowTF32CuDNN(false);
    at::globalContext().setAllowTF32CuBLAS(false);
  }
  return device;
}

bool halfKernelsOn(const c10::Device& device) {
  try {
    const auto x = at::ones({2, 4}, at::TensorOptions().dtype(at::kHalf).device(device));
    (void)at::gelu(at::linear(x, at::ones({3, 4}, x.options())));
    (void)at::softmax(x, -1);
    (void)at::mm(x, x.t());
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

double relativeMaxError(const at::Tensor& actual, const at::Tensor& expected) {
  const auto a = actual.detach().to(at::kCPU, at::kDouble);
  const auto e = expected.detach().to(at::kCPU, at::kDouble);
  const double diff = (a - e).abs().max().item<double>();
  const double scale = e.abs().max().item<double>();
  return scale < 1e-12 ? diff : diff / scale;
}

void expectTensorNear(const at::Tensor& actual, const at::Tensor& expected, double tol,
                      const std::string& what) {
  if (!sameShape(actual, expected, what)) return;
  if (expected.numel() == 0) return;
  const double err = relativeMaxError(actual, expected);
  EXPECT_TRUE(std::isfinite(err) && err <= tol)
      << what << ": relative max error " << err << " > tolerance " << tol;
}

void expectAllClose(const at::Tensor& actual, const at::Tensor& expected, double atol, double rtol,
                    const std::string& what) {
  if (!sameShape(actual, expected, what)) return;
  if (expected.numel() == 0) return;
  const auto a = actual.detach().to(at::kCPU, at::kDouble).flatten();
  const auto e = expected.detach().to(at::kCPU, at::kDouble).flatten();
  const auto excess = (a - e).abs() - (atol + rtol * e.abs());
  const int64_t worst = excess.argmax().item<int64_t>();
  const double worstExcess = excess[worst].item<double>();
  EXPECT_TRUE(worstExcess <= 0.0 && !a.isnan().any().item<bool>())
      << what << ": element " << worst << " = " << a[worst].item<double>() << ", expected "
      << e[worst].item<double>() << " (atol " << atol << ", rtol " << rtol << ")";
}

void expectTensorEqual(const at::Tensor& actual, const at::Tensor& expected,
                       const std::string& what) {
  if (!sameShape(actual, expected, what)) return;
  const auto a = actual.detach().to(at::kCPU, at::kLong);
  const auto e = expected.detach().to(at::kCPU, at::kLong);
  const auto neq = a.ne(e);
  if (neq.any().item<bool>()) {
    const int64_t first = neq.flatten().nonzero()[0][0].item<int64_t>();
    ADD_FAILURE() << what << ": first difference at flat index " << first << ": "
                  << a.flatten()[first].item<int64_t>()
                  << " != " << e.flatten()[first].item<int64_t>();
  }
}

}  // namespace lienzo::testing
