// A `status 3` text fed through the management conversation as the daemon reads it off the
// wire: the report one endpoint's poll makes, for benchmarks of what follows a poll.
#pragma once

#include <string>

#include "openvpn/mgmt_conversation.hpp"

inline omp::SourceReport parse_as_received(const std::string& name, const std::string& text) {
    omp::MgmtConversation conversation(name, std::nullopt);
    conversation.feed(">INFO:OpenVPN Management Interface Version 5\r\n");
    conversation.feed(text);
    omp::SourceReport report;
    report.name = name;
    report.ok = !conversation.failed();
    report.status = conversation.take_status();
    return report;
}
