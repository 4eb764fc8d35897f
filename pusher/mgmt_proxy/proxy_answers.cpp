#include "mgmt_proxy/proxy_answers.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "base/text_fields.hpp"

namespace omp {

namespace {

constexpr std::string_view kHelp =
    "Management Interface for OpenVPN, read-only, served by ovpn-mgmt-push from its last poll\n"
    "Commands:\n"
    "exit|quit             : Close management session.\n"
    "help                  : Print this message.\n"
    "load-stats            : Show global server load stats.\n"
    "state                 : Show the current OpenVPN state.\n"
    "status [n]            : Show current daemon status info using format #n.\n"
    "version               : Show current version number.\n"
    "Every other command is refused: nothing reaches OpenVPN through this socket.\n"
    "END\n";

// Where each wanted column is on a HEADER line (fields after its first two).
std::vector<std::optional<std::size_t>> columns(const std::vector<std::string_view>& header,
                                                std::initializer_list<std::string_view> wanted) {
    std::vector<std::optional<std::size_t>> at;
    for (auto name : wanted) {
        auto found = std::find(header.begin() + 2, header.end(), name);
        at.push_back(found == header.end() ? std::nullopt
                                           : std::optional(std::size_t(found - header.begin())));
    }
    return at;
}

// The row's fields at `at`, comma-separated; a column the header lacks is empty. `at` counts
// the header's fields, whose first is the word HEADER where a row has its keyword only.
std::string picked(const std::vector<std::string_view>& row,
                   const std::vector<std::optional<std::size_t>>& at) {
    std::string out;
    for (std::size_t i = 0; i < at.size(); ++i) {
        if (i) out += ',';
        if (at[i] && *at[i] - 1 < row.size()) out += row[*at[i] - 1];
    }
    return out + "\n";
}

std::string_view without_cr(std::string_view line) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    return line;
}

}  // namespace

std::string status_version_2(std::string_view status3) {
    std::string out(status3);
    std::replace(out.begin(), out.end(), '\t', ',');
    return out + "END\n";
}

std::string status_version_1(std::string_view status3) {
    std::string updated, clients, routes, stats;
    std::vector<std::optional<std::size_t>> client_at, route_at;
    for (std::size_t start = 0; start < status3.size();) {
        std::size_t nl = status3.find('\n', start);
        if (nl == std::string_view::npos) nl = status3.size();
        auto fields = split(status3.substr(start, nl - start), '\t');
        start = nl + 1;
        auto kind = fields[0];
        if (kind == "TIME" && fields.size() > 1) {
            updated = fields[1];
        } else if (kind == "HEADER" && fields.size() > 1 && fields[1] == "CLIENT_LIST") {
            client_at = columns(fields, {"Common Name", "Real Address", "Bytes Received",
                                         "Bytes Sent", "Connected Since"});
        } else if (kind == "HEADER" && fields.size() > 1 && fields[1] == "ROUTING_TABLE") {
            route_at =
                columns(fields, {"Virtual Address", "Common Name", "Real Address", "Last Ref"});
        } else if (kind == "CLIENT_LIST" && !client_at.empty()) {
            clients += picked(fields, client_at);
        } else if (kind == "ROUTING_TABLE" && !route_at.empty()) {
            routes += picked(fields, route_at);
        } else if (kind == "GLOBAL_STATS" && fields.size() > 2 &&
                   fields[1] == "Max bcast/mcast queue length") {  // version 1 has no other
            stats += std::string(fields[1]) + "," + std::string(fields[2]) + "\n";
        }
    }
    return "OpenVPN CLIENT LIST\nUpdated," + updated +
           "\nCommon Name,Real Address,Bytes Received,Bytes Sent,Connected Since\n" + clients +
           "ROUTING TABLE\nVirtual Address,Common Name,Real Address,Last Ref\n" + routes +
           "GLOBAL STATS\n" + stats + "END\n";
}

ProxyAnswer answer_command(std::string_view line, const MgmtTranscript* transcript,
                           std::string_view instance) {
    line = without_cr(line);
    auto words = split(line, ' ');
    words.erase(std::remove(words.begin(), words.end(), std::string_view()), words.end());
    if (words.empty()) return {};
    auto command = words[0];
    if (command == "quit" || command == "exit") return {"", true};
    if (command == "help") return {std::string(kHelp)};
    // `state` alone reads; `state on|all|N` would turn on notifications or show a history.
    bool reads = command == "status" || command == "version" || command == "load-stats" ||
                 (command == "state" && words.size() == 1);
    if (!reads) {
        return {"ERROR: `" + std::string(command.substr(0, 40)) +
                "' is refused: this is ovpn-mgmt-push's read-only proxy (see help)\n"};
    }
    if (!transcript) {
        return {"ERROR: OpenVPN " + std::string(instance) +
                " did not answer ovpn-mgmt-push's last poll\n"};
    }
    if (command == "version") return {transcript->version + "END\n"};
    if (command == "load-stats") return {transcript->load_stats + "\n"};
    if (command == "state") return {transcript->state + "END\n"};
    std::string_view format = words.size() > 1 ? words[1] : "1";
    if (format == "1") return {status_version_1(transcript->status)};
    if (format == "2") return {status_version_2(transcript->status)};
    if (format == "3") return {transcript->status + "END\n"};
    return {"ERROR: status: unknown format `" + std::string(format.substr(0, 20)) +
            "' (1, 2 or 3)\n"};
}

}  // namespace omp
