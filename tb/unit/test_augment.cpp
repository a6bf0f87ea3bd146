// Training-set augmentation: the mirror and shift transform on known images, the per-presentation
// draws (deterministic from the seeding rule, frequencies within a 1/sqrt(N) bound), and the options'
// validation and JSON form.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssnn/augment.hpp"
#include "ssnn/config.hpp"
#include "ssnn/idx.hpp"

using namespace ssnn;

namespace {

// A 3x4 image whose pixel (r, c) is 10 r + c + 1, so every pixel is nonzero and names its source.
std::vector<uint8_t> numbered_image() {
  std::vector<uint8_t> img(12);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) img[r * 4 + c] = static_cast<uint8_t>(10 * r + c + 1);
  return img;
}

std::vector<uint8_t> transformed(const AugmentDraw& d) {
  const std::vector<uint8_t> src = numbered_image();
  std::vector<uint8_t> dst(12, 0xEE);
  augment_image(d, src.data(), 3, 4, dst.data());
  return dst;
}

ModelConfig augmented_config(bool flip, int shift, uint64_t seed) {
  ModelConfig c;
  c.augment_flip = flip;
  c.augment_shift = shift;
  c.seed = seed;
  return c;
}

}  // namespace

TEST(AugmentImage, IdentityCopiesTheImage) { EXPECT_EQ(transformed({}), numbered_image()); }

TEST(AugmentImage, FlipMirrorsEachRow) {
  EXPECT_EQ(transformed({true, 0, 0}),
            (std::vector<uint8_t>{4, 3, 2, 1, 14, 13, 12, 11, 24, 23, 22, 21}));
}

TEST(AugmentImage, ShiftMovesRightAndDownAndZeroFills) {
  EXPECT_EQ(transformed({false, 1, 0}), (std::vector<uint8_t>{0, 1, 2, 3, 0, 11, 12, 13, 0, 21, 22, 23}));
  EXPECT_EQ(transformed({false, -2, 0}), (std::vector<uint8_t>{3, 4, 0, 0, 13, 14, 0, 0, 23, 24, 0, 0}));
  EXPECT_EQ(transformed({false, 0, 1}), (std::vector<uint8_t>{0, 0, 0, 0, 1, 2, 3, 4, 11, 12, 13, 14}));
  EXPECT_EQ(transformed({false, 0, -1}), (std::vector<uint8_t>{11, 12, 13, 14, 21, 22, 23, 24, 0, 0, 0, 0}));
  EXPECT_EQ(transformed({false, 5, 0}), std::vector<uint8_t>(12, 0)) << "a shift past the edge leaves nothing";
}

TEST(AugmentImage, FlipComesBeforeTheShift) {
  // Mirrored rows (4 3 2 1 ...), then one pixel right and one up.
  EXPECT_EQ(transformed({true, 1, -1}), (std::vector<uint8_t>{0, 14, 13, 12, 0, 24, 23, 22, 0, 0, 0, 0}));
}

TEST(AugmentDraw, IdentityWithoutAugmentation) {
  const ModelConfig off = augmented_config(false, 0, 7);
  for (uint64_t pos = 0; pos < 1000; ++pos) ASSERT_TRUE(augment_draw(off, 3, pos).identity()) << pos;
}

TEST(AugmentDraw, FlipOnlyNeverShiftsAndShiftOnlyNeverFlips) {
  const ModelConfig flip = augmented_config(true, 0, 7), shift = augmented_config(false, 2, 7);
  for (uint64_t pos = 0; pos < 1000; ++pos) {
    const AugmentDraw f = augment_draw(flip, 0, pos), s = augment_draw(shift, 0, pos);
    ASSERT_EQ(f.dx, 0);
    ASSERT_EQ(f.dy, 0);
    ASSERT_FALSE(s.flip);
    ASSERT_LE(std::abs(s.dx), 2);
    ASSERT_LE(std::abs(s.dy), 2);
  }
}

TEST(AugmentDraw, SameSeedEpochPositionSameDrawOtherwiseIndependent) {
  const ModelConfig a = augmented_config(true, 3, 11), b = augmented_config(true, 3, 12);
  int same_seed = 0, same_epoch = 0, same_pos = 0;
  auto eq = [](const AugmentDraw& x, const AugmentDraw& y) { return x.flip == y.flip && x.dx == y.dx && x.dy == y.dy; };
  for (uint64_t pos = 0; pos < 2000; ++pos) {
    const AugmentDraw d = augment_draw(a, 4, pos);
    ASSERT_TRUE(eq(d, augment_draw(a, 4, pos)));
    same_seed += eq(d, augment_draw(b, 4, pos));
    same_epoch += eq(d, augment_draw(a, 5, pos));
    same_pos += eq(d, augment_draw(a, 4, pos + 1));
  }
  // 98 outcomes: two independent draws agree 1/98 of the time (about 20 of 2000); 60 is > 9 sigma.
  EXPECT_LT(same_seed, 60);
  EXPECT_LT(same_epoch, 60);
  EXPECT_LT(same_pos, 60);
}

TEST(AugmentDraw, FrequenciesWithinStatisticalBound) {
  // Flip with probability 1/2; dx, dy uniform on -s..s and independent of each other and of the flip.
  constexpr int kShift = 2, kSpan = 2 * kShift + 1;
  constexpr int kDraws = 50000;
  const ModelConfig c = augmented_config(true, kShift, 1);
  int flips = 0;
  std::map<int, int> dx, dy;
  std::map<std::pair<int, int>, int> joint;
  int flipped_and_right = 0;
  for (int i = 0; i < kDraws; ++i) {
    const AugmentDraw d = augment_draw(c, static_cast<uint64_t>(i % 7), static_cast<uint64_t>(i));
    flips += d.flip;
    ++dx[d.dx];
    ++dy[d.dy];
    ++joint[{d.dx, d.dy}];
    flipped_and_right += d.flip && d.dx == kShift;
  }
  // 4 standard deviations of a binomial count: with fixed seeds this is exact, and it fails a biased draw.
  auto within = [&](int count, double p) {
    return std::abs(count - kDraws * p) <= 4 * std::sqrt(kDraws * p * (1 - p));
  };
  EXPECT_TRUE(within(flips, 0.5)) << flips;
  ASSERT_EQ(dx.size(), static_cast<size_t>(kSpan));
  ASSERT_EQ(dy.size(), static_cast<size_t>(kSpan));
  for (int v = -kShift; v <= kShift; ++v) {
    EXPECT_TRUE(within(dx[v], 1.0 / kSpan)) << "dx " << v << ": " << dx[v];
    EXPECT_TRUE(within(dy[v], 1.0 / kSpan)) << "dy " << v << ": " << dy[v];
    EXPECT_TRUE(within(joint[{v, -v}], 1.0 / (kSpan * kSpan))) << "(dx, dy) = (" << v << ", " << -v << ")";
  }
  EXPECT_TRUE(within(flipped_and_right, 0.5 / kSpan)) << flipped_and_right;
}

TEST(TrainingImage, DatasetPixelsUnlessTransformed) {
  Dataset data;
  data.rows = 3;
  data.cols = 4;
  data.num_classes = 2;
  data.pixels = numbered_image();
  data.labels = {1};
  std::vector<uint8_t> buffer;
  EXPECT_EQ(training_image(augmented_config(false, 0, 1), data, 0, 0, 0, buffer), data.image(0));
  EXPECT_TRUE(buffer.empty()) << "no copy without augmentation";

  const ModelConfig flip = augmented_config(true, 0, 1);
  int flipped = 0;
  for (uint64_t pos = 0; pos < 64; ++pos) {
    const uint8_t* img = training_image(flip, data, 0, 2, pos, buffer);
    const std::vector<uint8_t> got(img, img + 12);
    if (augment_draw(flip, 2, pos).flip) {
      ++flipped;
      EXPECT_EQ(img, buffer.data());
      EXPECT_EQ(got, transformed({true, 0, 0}));
    } else {
      EXPECT_EQ(img, data.image(0));
    }
  }
  EXPECT_GT(flipped, 0);
  EXPECT_LT(flipped, 64);
  EXPECT_EQ(data.pixels, numbered_image()) << "the data set itself is never changed";
}

TEST(AugmentConfig, ShiftRangeIsValidatedAndOptionsRoundTripThroughJson) {
  ModelConfig c;
  for (int bad : {-1, 9}) {
    c.augment_shift = bad;
    try {
      c.validate();
      ADD_FAILURE() << "augment_shift " << bad << " accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("--augment-shift"), std::string::npos) << e.what();
    }
  }
  c.augment_shift = 8;
  c.augment_flip = true;
  EXPECT_NO_THROW(c.validate());
  ModelConfig back;
  from_json(nlohmann::json(c), back);
  EXPECT_TRUE(back.augment_flip);
  EXPECT_EQ(back.augment_shift, 8);
  // Checkpoints written before augmentation existed read as "no augmentation".
  nlohmann::json old = c;
  old.erase("augment_flip");
  old.erase("augment_shift");
  from_json(old, back);
  EXPECT_FALSE(back.augment_flip);
  EXPECT_EQ(back.augment_shift, 0);
  nlohmann::json wrong = c;
  wrong["augment_flip"] = 1;
  EXPECT_THROW(from_json(wrong, back), ConfigError);
}
