#include "metrics/metrics_text.hpp"

#include <charconv>
#include <concepts>
#include <cstdio>
#include <utility>
#include <vector>

namespace omp {

namespace {

void number(std::string& out, double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    out += text;
}

template <std::integral Int>
void number(std::string& out, Int value) {
    char text[24];
    auto end = std::to_chars(text, text + sizeof text, value).ptr;
    out.append(text, end);
}

// {k="v",...}, values escaped as the text format wants.
struct Labels {
    std::string text;
    Labels& add(const char* key, std::string_view value) {
        text += text.empty() ? "{" : ",";
        text += key;
        text += "=\"";
        append_label_value(text, value);
        text += '"';
        return *this;
    }
};

// One metric family: its HELP and TYPE lines, then its samples; its name is written once, here.
class Family {
  public:
    Family(std::string& out, const char* name, const char* type, const char* help)
        : out_(out), name_(name) {
        out_ += "# HELP ";
        out_ += name_;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name_;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }

    // NAME[SUFFIX][{LABELS}] VALUE; `labels` as Labels::text makes it, unclosed.
    template <typename Value>
    void sample(Value value, std::string_view labels = {}, const char* suffix = "") {
        out_ += name_;
        out_ += suffix;
        if (!labels.empty()) {
            out_ += labels;
            out_ += '}';
        }
        out_ += ' ';
        number(out_, value);
        out_ += '\n';
    }
    template <typename Value>
    void sample(const Labels& labels, Value value, const char* suffix = "") {
        sample(value, labels.text, suffix);
    }

  private:
    std::string& out_;
    const char* name_;
};

void sources(std::string& out, const Snapshot& snapshot) {
    Family up(out, "ovpn_mgmt_push_source_up", "gauge",
              "1 when the source answered the last poll completely, else 0.");
    for (const auto& s : snapshot.sources)
        up.sample(Labels().add("source", s.name).add("kind", s.kind), std::uint64_t(s.ok ? 1 : 0));
    Family listed(out, "ovpn_mgmt_push_source_sessions", "gauge",
                  "Sessions the source listed at the last poll.");
    for (const auto& s : snapshot.sources)
        listed.sample(Labels().add("source", s.name).add("kind", s.kind),
                      std::uint64_t(s.sessions));
}

void sessions(std::string& out, const Snapshot& snapshot) {
    struct Series {
        const char* name;
        const char* type;
        const char* help;
        std::int64_t (*value)(const Session&);
    };
    static constexpr Series kSeries[] = {
        {"ovpn_mgmt_push_session_received_bytes_total", "counter",
         "Bytes the server received from the session's client.",
         [](const Session& s) { return std::int64_t(s.bytes_received); }},
        {"ovpn_mgmt_push_session_sent_bytes_total", "counter",
         "Bytes the server sent to the session's client.",
         [](const Session& s) { return std::int64_t(s.bytes_sent); }},
        {"ovpn_mgmt_push_session_connected_since_seconds", "gauge",
         "When the session started, seconds since the epoch.",
         [](const Session& s) { return s.connected_at; }},
    };
    // Each session's labels are escaped once, for its three series.
    std::vector<std::pair<std::string, const Session*>> labelled;
    for (const auto& report : snapshot.reports) {
        for (const auto& s : report.status.sessions) {
            Labels labels;
            labels.add("source", s.source)
                .add("username", s.username)
                .add("common_name", s.common_name)
                .add("virtual_ip", s.virtual_ip.empty() ? s.virtual_ipv6 : s.virtual_ip);
            labelled.emplace_back(std::move(labels.text), &s);
        }
    }
    for (const auto& series : kSeries) {
        Family family(out, series.name, series.type, series.help);
        for (const auto& [labels, session] : labelled)
            family.sample(series.value(*session), labels);
    }
}

void histogram(std::string& out, const CycleHistogram& h) {
    Family cycles(out, "ovpn_mgmt_push_cycle_duration_seconds", "histogram",
                  "From the start of a poll of every source to its payload being ready to post.");
    for (std::size_t i = 0; i < CycleHistogram::kBounds.size(); ++i) {
        char bound[32];
        std::snprintf(bound, sizeof bound, "%g", CycleHistogram::kBounds[i]);
        cycles.sample(Labels().add("le", bound), h.at_most(i), "_bucket");
    }
    cycles.sample(Labels().add("le", "+Inf"), h.count(), "_bucket");
    cycles.sample(h.sum(), {}, "_sum");
    cycles.sample(h.count(), {}, "_count");
}

}  // namespace

void append_label_value(std::string& out, std::string_view value) {
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
}

std::string render_metrics(const MetricsState& state) {
    std::string out;
    if (state.snapshot) {
        Family(out, "ovpn_mgmt_push_users", "gauge",
               "Users connected, merged across sources: the payload's `clients'.")
            .sample(std::uint64_t(state.snapshot->users.size()));
        sources(out, *state.snapshot);
        if (state.per_session) sessions(out, *state.snapshot);
    }
    Family posts(out, "ovpn_mgmt_push_panel_posts_total", "counter",
                 "POSTs to the panel, by result.");
    posts.sample(Labels().add("result", "ok"), state.posts_ok);
    posts.sample(Labels().add("result", "error"), state.posts_error);
    if (state.last_success_epoch) {
        Family(out, "ovpn_mgmt_push_panel_last_success_timestamp_seconds", "gauge",
               "When the panel last answered a POST with 2xx, seconds since the epoch.")
            .sample(*state.last_success_epoch);
    }
    Family(out, "ovpn_mgmt_push_session_records_pending", "gauge",
           "Session records not yet acknowledged by the panel.")
        .sample(std::uint64_t(state.records_pending));
    Family(out, "ovpn_mgmt_push_session_records_dropped_total", "counter",
           "Session records dropped, oldest first, at the store's bound (MAX_SESSION_RECORDS).")
        .sample(state.records_dropped);
    Family datagrams(out, "ovpn_mgmt_push_event_datagrams_total", "counter",
                     "Datagrams on the plugin's event socket, by what became of them.");
    datagrams.sample(Labels().add("result", "accepted"), state.datagrams.accepted);
    datagrams.sample(Labels().add("result", "foreign"), state.datagrams.foreign_sender);
    datagrams.sample(Labels().add("result", "malformed"), state.datagrams.malformed);
    if (state.cycles) histogram(out, *state.cycles);
    return out;
}

}  // namespace omp
