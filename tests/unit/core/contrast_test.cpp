// WCAG contrast of theme colours, and the correction the widget applies to a failing theme.
#include "core/theme/contrast.hpp"

#include <doctest/doctest.h>

using namespace kopilka::theme;

TEST_CASE("contrast: WCAG's ratios, and the default theme's accent fails for small text") {
    CHECK(contrast_ratio({0, 0, 0}, {255, 255, 255}) == doctest::Approx(21.0));
    CHECK(contrast_ratio({255, 255, 255}, {255, 255, 255}) == doctest::Approx(1.0));
    CHECK(contrast_ratio({0xD9, 0x4F, 0x2B}, {255, 255, 255}) ==
          doctest::Approx(4.11).epsilon(0.01));
    const auto pairs = contrast_pairs(Theme{});
    REQUIRE(pairs.size() == 7);
    int failing = 0;
    for (const auto& p : pairs) failing += !p.passes_aa;
    CHECK(failing == 1);  // accent_text on accent
    CHECK(pairs.back().text == "accent_text");
    CHECK_FALSE(pairs.back().passes_aa);
}

TEST_CASE("contrast: a failing theme is corrected in lightness only; a passing one is kept") {
    Theme t;
    const Theme fixed = with_readable_contrast(t);
    CHECK(contrast_ratio(fixed.accent, fixed.accent_text) >= contrast_aa_text);
    CHECK(fixed.accent == Rgba{0xD1, 0x47, 0x23});  // the nearest darker accent that passes
    CHECK(fixed.text == t.text);
    CHECK(fixed.background == t.background);
    for (const auto& p : contrast_pairs(fixed)) CHECK(p.passes_aa);

    Theme pale;  // light grey text on white: moved toward black until it reads
    pale.text = {0xCC, 0xCC, 0xCC};
    pale.muted_text = {0xDD, 0xDD, 0xDD};
    const Theme read = with_readable_contrast(pale);
    for (const auto& p : contrast_pairs(read)) CHECK(p.passes_aa);
    const Theme again = with_readable_contrast(read);
    CHECK(again.text == read.text);
    CHECK(again.muted_text == read.muted_text);
}
