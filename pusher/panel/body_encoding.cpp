#include "panel/body_encoding.hpp"

namespace omp {

namespace {

constexpr long kUnsupportedMediaType = 415;

}  // namespace

Result<PanelGzip> parse_panel_gzip(std::string_view text) {
    if (text == "off") return PanelGzip::off;
    if (text == "auto") return PanelGzip::automatic;
    if (text == "on") return PanelGzip::on;
    return error("bad panel gzip `" + std::string(text) + "': expected off, auto or on");
}

std::optional<std::string> BodyEncoding::answered(long http_status, bool was_gzip) {
    if (mode_ != PanelGzip::automatic || refused_ || !was_gzip) return std::nullopt;
    if (http_status != kUnsupportedMediaType) return std::nullopt;
    refused_ = true;
    return std::string(
        "the panel refused a gzip body (HTTP 415): posting plain JSON from now on "
        "(PANEL_GZIP=auto); set PANEL_GZIP=off to say so, or teach the panel gzip");
}

}  // namespace omp
