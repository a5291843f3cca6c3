#include "ui/parameterdiff.h"

namespace lienzo::ui {

std::vector<ParameterRow> compareParameters(const Infotext& a, const Infotext& b) {
  std::vector<ParameterRow> rows;
  auto add = [&rows](const QString& key, const std::string& va, const std::string& vb) {
    rows.push_back({key, QString::fromStdString(va), QString::fromStdString(vb), va != vb});
  };
  add(QStringLiteral("Prompt"), a.prompt, b.prompt);
  add(QStringLiteral("Negative prompt"), a.negativePrompt, b.negativePrompt);
  for (const auto& [key, value] : a.fields) {
    add(QString::fromStdString(key), value, b.get(key).value_or(std::string()));
  }
  for (const auto& [key, value] : b.fields) {
    if (!a.get(key)) add(QString::fromStdString(key), std::string(), value);
  }
  return rows;
}

}  // namespace lienzo::ui
