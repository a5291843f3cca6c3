// A small `--key value` / `--flag` parser shared by the sub-commands.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lienzo::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  /// `valued` options take a value, `flags` do not; anything else starting with "--" or a
  /// missing value throws UsageError. "-o" is accepted as "--output".
  Args(int argc, char** argv, const std::set<std::string>& valued,
       const std::set<std::string>& flags);

  bool has(const std::string& key) const { return m_values.count(key) != 0; }
  std::optional<std::string> get(const std::string& key) const;
  std::string get(const std::string& key, const std::string& fallback) const;
  /// Parses an integer / float option; UsageError naming the option when malformed.
  std::optional<long long> getInt(const std::string& key) const;
  std::optional<double> getDouble(const std::string& key) const;
  const std::vector<std::string>& positional() const { return m_positional; }
  /// Every `--key value` / flag in command-line order, repeats included (get() sees the last):
  /// for repeatable option groups such as `--control … --control …`.
  const std::vector<std::pair<std::string, std::string>>& ordered() const { return m_ordered; }

 private:
  std::map<std::string, std::string> m_values;
  std::vector<std::pair<std::string, std::string>> m_ordered;
  std::vector<std::string> m_positional;
};

}  // namespace lienzo::cli
