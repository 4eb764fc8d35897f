#include <boost/test/unit_test.hpp>

#include "setup/text_diff.hpp"

BOOST_AUTO_TEST_SUITE(text_diff)

BOOST_AUTO_TEST_CASE(equal_texts_give_no_diff) {
    BOOST_TEST(omp::unified_diff("a\nb\n", "a\nb\n", "x", "y") == "");
}

BOOST_AUTO_TEST_CASE(appended_lines_form_one_hunk_with_context) {
    std::string d = omp::unified_diff("1\n2\n3\n4\n5\n", "1\n2\n3\n4\n5\n6\n7\n", "a", "b");
    BOOST_TEST(d == "--- a\n+++ b\n@@ -3,3 +3,5 @@\n 3\n 4\n 5\n+6\n+7\n");
}

BOOST_AUTO_TEST_CASE(distant_changes_form_separate_hunks) {
    std::string before, after;
    for (int i = 1; i <= 20; ++i) {
        before += std::to_string(i) + "\n";
        if (i != 2 && i != 18) after += std::to_string(i) + "\n";
    }
    std::string d = omp::unified_diff(before, after, "a", "b");
    BOOST_TEST(d ==
               "--- a\n+++ b\n@@ -1,5 +1,4 @@\n 1\n-2\n 3\n 4\n 5\n@@ -15,6 +14,5 @@\n 15\n 16\n "
               "17\n-18\n 19\n 20\n");
}

BOOST_AUTO_TEST_CASE(diff_into_an_empty_text) {
    BOOST_TEST(omp::unified_diff("a\n", "", "x", "y") == "--- x\n+++ y\n@@ -1,1 +0,0 @@\n-a\n");
}

BOOST_AUTO_TEST_SUITE_END()
