#include "support/fixtures.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

namespace lienzo::testing {

std::filesystem::path fixturesDir() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("LIENZO_FIXTURES"); env && *env) {
    dir = env;
  } else {
    dir = std::filesystem::path(LIENZO_SOURCE_DIR) / ".." / "shared" / "fixtures";
  }
  if (!std::filesystem::is_directory(dir)) {
    const std::string msg = "fixture folder not found: " + dir.string() +
                            " (set LIENZO_FIXTURES to the golden fixture set)";
    ADD_FAILURE() << msg;
    throw std::runtime_error(msg);
  }
  return std::filesystem::weakly_canonical(dir);
}

std::filesystem::path fixturePath(const std::string& relative) {
  const auto path = fixturesDir() / relative;
  if (!std::filesystem::exists(path)) {
    const std::string msg = "fixture file not found: " + path.string();
    ADD_FAILURE() << msg;
    throw std::runtime_error(msg);
  }
  return path;
}

nlohmann::json readJsonFixture(const std::string& relative) {
  std::ifstream in(fixturePath(relative));
  return nlohmann::json::parse(in);
}

std::filesystem::path makeTempDir(const std::string& tag) {
  std::random_device rd;
  const auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto dir = base / ("lienzo-test-" + tag + "-" + std::to_string(rd()));
    if (std::filesystem::create_directories(dir)) return dir;
  }
  throw std::runtime_error("cannot create a temporary directory");
}

}  // namespace lienzo::testing
