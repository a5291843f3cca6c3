#include "app/cli_args.h"

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace lienzo::cli {

Args::Args(int argc, char** argv, const std::set<std::string>& valued,
           const std::set<std::string>& flags) {
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-o") arg = "--output";
    if (arg.rfind("--", 0) != 0) {
      m_positional.push_back(arg);
      continue;
    }
    std::string key = arg.substr(2);
    std::optional<std::string> inlineValue;
    if (const auto eq = key.find('='); eq != std::string::npos) {
      inlineValue = key.substr(eq + 1);
      key = key.substr(0, eq);
    }
    if (flags.count(key)) {
      m_values[key] = "1";
    } else if (valued.count(key)) {
      if (inlineValue) {
        m_values[key] = *inlineValue;
      } else {
        if (i + 1 >= argc) throw UsageError("option --" + key + " needs a value");
        m_values[key] = argv[++i];
      }
    } else {
      throw UsageError("unknown option --" + key);
    }
    m_ordered.emplace_back(key, m_values[key]);
  }
}

std::optional<std::string> Args::get(const std::string& key) const {
  const auto it = m_values.find(key);
  if (it == m_values.end()) return std::nullopt;
  return it->second;
}

std::string Args::get(const std::string& key, const std::string& fallback) const {
  return get(key).value_or(fallback);
}

std::optional<long long> Args::getInt(const std::string& key) const {
  const auto v = get(key);
  if (!v) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0')
    throw UsageError("--" + key + " needs an integer, got '" + *v + "'");
  // strtoll clamps what does not fit; a silently changed number (a seed above all) is refused.
  if (errno == ERANGE)
    throw UsageError("--" + key + " " + *v + " is out of range: integers go from " +
                     std::to_string(LLONG_MIN) + " to " + std::to_string(LLONG_MAX));
  return n;
}

std::optional<double> Args::getDouble(const std::string& key) const {
  const auto v = get(key);
  if (!v) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0')
    throw UsageError("--" + key + " needs a number, got '" + *v + "'");
  return d;
}

}  // namespace lienzo::cli
