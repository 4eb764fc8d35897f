#include "setup/text_diff.hpp"

#include <algorithm>
#include <vector>

namespace omp {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        lines.push_back(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return lines;
}

enum class Op { keep, remove, add };
struct Edit {
    Op op;
    std::string_view line;
};

// Longest common subsequence by dynamic programming: configs are a few hundred lines, and
// setup runs once by hand, so O(n*m) is plenty.
std::vector<Edit> edit_script(const std::vector<std::string_view>& a,
                              const std::vector<std::string_view>& b) {
    std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t j = m; j-- > 0;) {
            lcs[i][j] =
                a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    std::vector<Edit> edits;
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            edits.push_back({Op::keep, a[i++]});
            ++j;
        } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
            edits.push_back({Op::add, b[j++]});
        } else {
            edits.push_back({Op::remove, a[i++]});
        }
    }
    return edits;
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after,
                         const std::string& before_name, const std::string& after_name) {
    if (before == after) return "";
    auto edits = edit_script(split_lines(before), split_lines(after));
    constexpr std::size_t kContext = 3;
    std::string out = "--- " + before_name + "\n+++ " + after_name + "\n";

    std::vector<std::size_t> changed;
    for (std::size_t e = 0; e < edits.size(); ++e) {
        if (edits[e].op != Op::keep) changed.push_back(e);
    }
    // Changes closer than 2*kContext unchanged lines share a hunk.
    for (std::size_t c = 0; c < changed.size();) {
        std::size_t last = c;
        while (last + 1 < changed.size() && changed[last + 1] - changed[last] - 1 <= 2 * kContext)
            ++last;
        std::size_t start = changed[c] >= kContext ? changed[c] - kContext : 0;
        std::size_t end = std::min(edits.size(), changed[last] + 1 + kContext);

        std::size_t a_line = 1, b_line = 1;  // first line of the hunk in each text
        for (std::size_t e = 0; e < start; ++e) {
            if (edits[e].op != Op::add) ++a_line;
            if (edits[e].op != Op::remove) ++b_line;
        }
        std::size_t a_count = 0, b_count = 0;
        std::string body;
        for (std::size_t e = start; e < end; ++e) {
            if (edits[e].op != Op::add) ++a_count;
            if (edits[e].op != Op::remove) ++b_count;
            body += edits[e].op == Op::keep ? ' ' : edits[e].op == Op::remove ? '-' : '+';
            body += edits[e].line;
            body += '\n';
        }
        // diff -u numbers an empty side by the line before it.
        out += "@@ -" + std::to_string(a_count ? a_line : a_line - 1) + "," +
               std::to_string(a_count) + " +" + std::to_string(b_count ? b_line : b_line - 1) +
               "," + std::to_string(b_count) + " @@\n" + body;
        c = last + 1;
    }
    return out;
}

}  // namespace omp
