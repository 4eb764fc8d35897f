// Text that may hold a private key (a WireGuard interface's answer: its private_key line, and
// the peers' preshared keys): every buffer it ever used is overwritten when it is freed, so a
// string growing by appends leaves no copy of a key in freed heap memory, only the last buffer,
// which wipe_wg_answer() clears when the query ends.
#pragma once

#include <string.h>

#include <cstddef>
#include <memory>
#include <string>

namespace omp {

template <typename T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() = default;
    template <typename U>
    WipingAllocator(const WipingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        explicit_bzero(p, n * sizeof(T));
        std::allocator<T>().deallocate(p, n);
    }
    template <typename U>
    bool operator==(const WipingAllocator<U>&) const noexcept {
        return true;
    }
};

using SecretText = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

}  // namespace omp
