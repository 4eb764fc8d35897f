// A unified diff of two texts, line by line, for `setup --dry-run`.
#pragma once

#include <string>
#include <string_view>

namespace omp {

// Empty when the texts are equal. Three lines of context, like `diff -u`.
std::string unified_diff(std::string_view before, std::string_view after,
                         const std::string& before_name, const std::string& after_name);

}  // namespace omp
