// Helpers shared by the unit tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

inline std::string read_test_data(const std::string& relative) {
    std::ifstream in(std::string(OMP_TEST_DATA) + "/" + relative, std::ios::binary);
    if (!in) throw std::runtime_error("missing test data " + relative);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}
