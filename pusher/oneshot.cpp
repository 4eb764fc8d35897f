#include "oneshot.hpp"

#include <cstdio>

#include "log.hpp"
#include "merger.hpp"
#include "payload.hpp"

namespace omp {

std::string build_payload_once(const Settings& settings, bool& any_source_ok) {
    auto reports = query_all(settings.endpoints, settings.mgmt_password, settings.mgmt_timeouts);
    any_source_ok = false;
    for (const auto& r : reports) {
        if (r.ok) any_source_ok = true;
        else log::warning("endpoint " + r.name + ": " + r.error);
    }
    PayloadContext context;
    context.trigger = "manual";
    return render_payload(merge_reports(std::move(reports)), context);
}

int run_snapshot(const Settings& settings) {
    bool any_ok = false;
    std::string body = build_payload_once(settings, any_ok);
    body += '\n';
    std::fwrite(body.data(), 1, body.size(), stdout);
    std::fflush(stdout);
    return any_ok ? 0 : 1;
}

int run_push(const Settings& settings) {
    bool any_ok = false;
    std::string body = build_payload_once(settings, any_ok);
    HttpSender sender(*settings.panel);
    PostResult result = sender.post(std::move(body));
    if (!result.ok) {
        log::error(url_for_log(settings.panel->url) + ": " + result.error);
        return 1;
    }
    return 0;
}

}  // namespace omp
