#include "commands/oneshot.hpp"

#include <cstdio>

#include "base/log.hpp"
#include "commands/source_queries.hpp"
#include "core/merger.hpp"
#include "core/payload.hpp"

namespace omp {

namespace {

// Queries every endpoint once and renders the payload into `sink`, as both subcommands do;
// returns whether any endpoint answered.
bool render_once(const Settings& settings, const PayloadSink& sink) {
    auto names = std::make_shared<const PeerNames>(settings.wg_peer_names);
    auto reports = run_queries(start_source_queries(settings, names, SteadyClock::now()));
    bool any_source_ok = false;
    for (const auto& r : reports) {
        if (r.ok)
            any_source_ok = true;
        else
            log::warning("source " + r.name + ": " + r.error);
    }
    PayloadContext context;
    context.trigger = "manual";
    render_payload(merge_reports(std::move(reports)), context, sink);
    return any_source_ok;
}

}  // namespace

int run_snapshot(const Settings& settings) {
    // Streamed: a 20,000-user body never sits in memory whole.
    bool any_ok = render_once(settings, [](std::string_view piece) {
        std::fwrite(piece.data(), 1, piece.size(), stdout);
    });
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return any_ok ? 0 : 1;
}

int run_push(const Http& http, const Settings& settings) {
    std::string body;
    render_once(settings, [&](std::string_view piece) { body.append(piece); });
    PostResult result = http.post(*settings.panel, std::move(body));
    if (!result.ok) {
        log::error(http.url_for_log(settings.panel->url) + ": " + result.error);
        return 1;
    }
    return 0;
}

}  // namespace omp
