#include "openvpn/status_parser.hpp"

#include "base/text_fields.hpp"
#include "core/real_address.hpp"

namespace omp {

namespace {

// status 3 separates by TAB, status 2 by comma; the first separator on a line tells which.
void split_fields(std::string_view line, std::vector<std::string_view>& fields) {
    std::size_t first = line.find_first_of("\t,");
    split_into(line, first != std::string_view::npos ? line[first] : '\t', fields);
}

}  // namespace

StatusParser::StatusParser(std::string source_name) : source_(std::move(source_name)) {}

void StatusParser::feed_line(std::string_view line) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.starts_with("HEADER")) {
        split_fields(line, fields_);
        if (fields_.size() > 2 && fields_[0] == "HEADER" && fields_[1] == "CLIENT_LIST") {
            read_header(fields_);
        }
    } else if (line.starts_with("CLIENT_LIST")) {
        split_fields(line, fields_);
        if (fields_[0] == "CLIENT_LIST") read_client(line, fields_);
    }
    // TITLE, TIME, ROUTING_TABLE, GLOBAL_STATS and the rest carry nothing we post.
}

void StatusParser::read_header(const std::vector<std::string_view>& fields) {
    Columns c;
    c.count = fields.size() - 2;
    for (std::size_t i = 2; i < fields.size(); ++i) {
        std::string_view name = fields[i];
        std::size_t index = i - 1;  // position in a CLIENT_LIST row (0 is the keyword)
        if (name == "Common Name")
            c.common_name = index;
        else if (name == "Real Address")
            c.real_address = index;
        else if (name == "Virtual Address")
            c.virtual_address = index;
        else if (name == "Virtual IPv6 Address")
            c.virtual_ipv6 = index;
        else if (name == "Bytes Received")
            c.bytes_received = index;
        else if (name == "Bytes Sent")
            c.bytes_sent = index;
        else if (name == "Connected Since (time_t)")
            c.connected_since = index;
        else if (name == "Username")
            c.username = index;
        else if (name == "Client ID")
            c.client_id = index;
    }
    if (!c.common_name || !c.real_address || !c.virtual_address || !c.bytes_received ||
        !c.bytes_sent || !c.connected_since) {
        result_.error =
            "HEADER CLIENT_LIST lacks a needed column (Common Name, Real Address, "
            "Virtual Address, Bytes Received, Bytes Sent, Connected Since (time_t))";
        return;
    }
    columns_ = c;
}

void StatusParser::skip_malformed(std::string_view line) {
    ++result_.malformed_rows;
    if (!result_.first_malformed) result_.first_malformed = std::string(line.substr(0, 200));
}

void StatusParser::read_client(std::string_view line, const std::vector<std::string_view>& f) {
    if (!columns_) {
        ++rows_before_header_;
        skip_malformed(line);
        return;
    }
    const Columns& c = *columns_;
    if (f.size() != c.count + 1) return skip_malformed(line);

    std::string_view virtual_ip = f[*c.virtual_address];
    std::string_view virtual_ipv6 = c.virtual_ipv6 ? f[*c.virtual_ipv6] : std::string_view();
    if (virtual_ip.empty() && virtual_ipv6.empty()) {
        ++result_.half_open;  // a handshake in progress, not a user yet
        return;
    }
    auto real = parse_real_address(f[*c.real_address]);
    auto received = parse_whole_number<std::uint64_t>(f[*c.bytes_received]);
    auto sent = parse_whole_number<std::uint64_t>(f[*c.bytes_sent]);
    auto since = parse_whole_number<std::int64_t>(f[*c.connected_since]);
    if (!real || !received || !sent || !since) return skip_malformed(line);

    Session s;
    s.source = source_;
    s.common_name = f[*c.common_name];
    std::string_view username = c.username ? f[*c.username] : std::string_view();
    s.username = username_or_common_name(username, s.common_name);
    s.real_ip = std::move(real->ip);
    s.real_port = real->port;
    s.virtual_ip = virtual_ip;
    s.virtual_ipv6 = virtual_ipv6;
    s.bytes_received = *received;
    s.bytes_sent = *sent;
    s.connected_at = *since;
    if (c.client_id) s.client_id = parse_whole_number<std::uint64_t>(f[*c.client_id]);
    result_.sessions.push_back(std::move(s));
}

ParsedStatus StatusParser::finish() && {
    if (!columns_ && !result_.error && rows_before_header_ > 0) {
        result_.error = "CLIENT_LIST rows without a HEADER CLIENT_LIST line";
    }
    return std::move(result_);
}

ParsedStatus parse_status(std::string_view text, std::string source_name) {
    StatusParser parser(std::move(source_name));
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        parser.feed_line(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return std::move(parser).finish();
}

}  // namespace omp
