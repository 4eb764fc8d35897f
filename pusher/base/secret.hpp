// Comparing a secret someone sent with the one configured.
#pragma once

#include <cstddef>
#include <string_view>

namespace omp {

// The same time whether the first byte differs or the last, so the time taken tells nothing.
inline bool same_secret(std::string_view given, std::string_view expected) {
    unsigned char differ = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < given.size(); ++i) {
        differ |= static_cast<unsigned char>(given[i] ^ (i < expected.size() ? expected[i] : 0));
    }
    return differ == 0;
}

}  // namespace omp
