// Ref: k-diffusion sampling.py sample_lms / linear_multistep_coeff (linear multistep of order 4)
#include <ATen/ATen.h>

#include <algorithm>
#include <deque>
#include <vector>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {
namespace {

// Integral over [t[i], t[i+1]] of the Lagrange basis polynomial j of the nodes t[i], ...,
// t[i-order+1]. The reference integrates with scipy quad (exact for these low-degree polynomials);
// we integrate the polynomial exactly with 4-point Gauss-Legendre (exact up to degree 7). The node
// differences are float32 subtractions as in the reference (numpy float32 sigmas).
double lmsCoefficient(int order, const std::vector<float>& t, int i, int j) {
  auto basis = [&](double tau) {
    double prod = 1.0;
    for (int k = 0; k < order; ++k) {
      if (k == j) continue;
      const float denom = t[i - j] - t[i - k];  // float32 difference
      prod *= (tau - static_cast<double>(t[i - k])) / static_cast<double>(denom);
    }
    return prod;
  };
  static const double kNodes[4] = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
                                   0.8611363115940526};
  static const double kWeights[4] = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
                                     0.3478548451374538};
  const double a = t[i];
  const double b = t[i + 1];
  const double half = 0.5 * (b - a);
  const double mid = 0.5 * (a + b);
  double sum = 0.0;
  for (int q = 0; q < 4; ++q) sum += kWeights[q] * basis(mid + half * kNodes[q]);
  return sum * half;
}

}  // namespace

at::Tensor sampleLms(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                     const Options& opt) {
  using namespace detail;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleLms");
  const int total = static_cast<int>(sigmas.numel() - 1);
  const int order = std::max(1, opt.lmsOrder);
  const at::Tensor sigmasHost = sigmas.to(at::kCPU);
  std::vector<float> sigmasCpu(sigmasHost.data_ptr<float>(),
                               sigmasHost.data_ptr<float>() + sigmasHost.numel());
  std::deque<at::Tensor> ds;  // newest last
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigma, x));  // [B,C,H,W]
    ds.push_back(toD(x, sigma, denoised));
    if (static_cast<int>(ds.size()) > order) ds.pop_front();
    const int curOrder = std::min(i + 1, order);
    // x + sum(coeff_j * d_{i-j}), coefficients paired with the derivatives newest first
    at::Tensor acc;
    for (int j = 0; j < curOrder; ++j) {
      const double coeff = lmsCoefficient(curOrder, sigmasCpu, i, j);
      at::Tensor term = ds[ds.size() - 1 - j] * coeff;
      acc = acc.defined() ? acc + term : term;
    }
    x = x + acc;
    if (!report(cb, i, total, sigma, sigmas[i + 1], x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
