// libFuzzer: the KEY=VALUE config reader and the OpenVPN server-config reader used by setup,
// on arbitrary bytes. A config that parses must render back byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/config_file.hpp"
#include "setup/server_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)omp::parse_config_text(text, "fuzz");
    auto config = omp::parse_server_config(text, "fuzz.conf");
    if (config && omp::render_server_config(*config) != text) std::abort();
    if (config) {
        omp::SetupOptions options;
        options.plugin_path = "/p.so";
        options.event_socket = "/s";
        options.source = "udp";
        (void)omp::plan_setup(std::move(*config), options);
    }
    return 0;
}
