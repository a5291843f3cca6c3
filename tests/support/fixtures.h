// Test support: where the golden fixtures live and small readers for them.
//
// The fixture folder is taken from the environment variable LIENZO_FIXTURES when the test runs
// (default: <repo>/../shared/fixtures), so `LIENZO_FIXTURES=/other/set ctest -L golden` runs the
// same tests against another fixture set with identical file names. A missing folder or file is a
// test failure (ADD_FAILURE + exception), never a silent skip.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace lienzo::testing {

/// The fixture root; throws std::runtime_error (after ADD_FAILURE) when it does not exist.
std::filesystem::path fixturesDir();
/// fixturesDir() / relative; throws std::runtime_error (after ADD_FAILURE) when missing.
std::filesystem::path fixturePath(const std::string& relative);
/// Parses a JSON fixture (e.g. "samplers/kdiffusion.json").
nlohmann::json readJsonFixture(const std::string& relative);
/// A fresh empty temporary directory for one test (removed by the OS / next run).
std::filesystem::path makeTempDir(const std::string& tag);

}  // namespace lienzo::testing
