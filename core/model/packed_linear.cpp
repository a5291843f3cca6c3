#include "core/model/packed_linear.h"

#include "core/io/gguf_weights.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

PackedLinearImpl::PackedLinearImpl(const LinearOptions& options) : options(options) {
  weight = registerEmptyParameter(*this, "weight", {options.out, options.in});
  if (options.bias) bias = registerEmptyParameter(*this, "bias", {options.out});
}

void PackedLinearImpl::setPacked(const GgufPackedTensor& packed, c10::ScalarType dtype,
                                 c10::Device device) {
  if (!c10::isFloatingType(dtype))
    throw std::invalid_argument("packed linear '" + packed.name() + "': compute dtype " +
                                c10::toString(dtype) + " is not floating");
  if (packed.shape() != std::vector<int64_t>{options.out, options.in})
    throw std::invalid_argument("packed linear '" + packed.name() + "' has shape " +
                                shapeText(packed.shape()) + " but the layer expects " +
                                shapeText({options.out, options.in}));
  if (!ggmlDequantizable(packed.type()))
    throw std::invalid_argument(
        "packed linear '" + packed.name() + "' is " + ggmlTypeName(packed.type()) +
        ", which Lienzo cannot dequantize (supported: " + ggmlDequantizableList() + ")");
  m_packed = std::make_shared<const GgufPackedTensor>(
      packed.device() == device ? packed : packed.to(device));
  at::NoGradGuard noGrad;
  weight.set_data(at::empty({0}, at::TensorOptions().dtype(dtype).device(device)));
}

at::Tensor PackedLinearImpl::denseWeight() const {
  if (!m_packed) return weight;
  return m_packed->dequantize(weight.scalar_type(), weight.device());  // [out, in]
}

at::Tensor PackedLinearImpl::forward(const at::Tensor& x) {
  // [..., in] -> [..., out]; a packed weight lives only for this call.
  if (!m_packed) return at::linear(x, weight, bias);
  return at::linear(x, denseWeight(), bias);
}

}  // namespace lienzo
