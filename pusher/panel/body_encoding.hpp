// Whether the next POST body goes out gzip-compressed, and what a panel's refusal changes:
// `--panel-gzip off|auto|on`. Rules only; the HTTP sender applies them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "panel/panel_config.hpp"

namespace omp {

// "off", "auto" or "on"; the error quotes anything else.
Result<PanelGzip> parse_panel_gzip(std::string_view text);

class BodyEncoding {
  public:
    explicit BodyEncoding(PanelGzip mode) : mode_(mode) {}

    bool gzip_next() const { return mode_ != PanelGzip::off && !refused_; }

    // A POST ended with `http_status`. In `auto`, a 415 to a compressed body (RFC 7694: the
    // panel cannot decode it) means: send the same POST again, plain, now, and plain from then
    // on. Returns the one log line that says so; nothing in any other case (`on` never falls
    // back: its 415 is a failed POST like any other).
    std::optional<std::string> answered(long http_status, bool was_gzip);

  private:
    PanelGzip mode_;
    bool refused_ = false;
};

}  // namespace omp
