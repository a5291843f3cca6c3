// The compare view's parameter table: two images' infotexts side by side, differences marked.
// Pure function over values; any thread. (GenerationParams <-> infotext lives in the core:
// core/pipeline/params_infotext.h.)
#pragma once

#include <QString>

#include <vector>

#include "core/io/infotext.h"

namespace lienzo::ui {

/// One row of the table. `key` is the A1111 key, or "Prompt" / "Negative prompt".
struct ParameterRow {
  QString key;
  QString valueA;  ///< empty when A lacks the key
  QString valueB;
  bool differs = false;
};

/// Prompt, negative prompt, then every key of A in A's order, then the keys only B has.
std::vector<ParameterRow> compareParameters(const Infotext& a, const Infotext& b);

}  // namespace lienzo::ui
