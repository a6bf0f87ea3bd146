// Reusable computations behind the paper's characterisation figures (tests and plot scripts).
//
//  - Figure 4: the error of stochastic multiplication with the chip's LFSR Bernoulli trains.
//  - Figure 5: the sorted, normalised output spike-count distribution with and without WTA, and the
//    softmax of the raw (no-WTA) outputs for comparison.
//  - Update agreement: the stochastic coincidence update (eq. 10) against the rate update (eq. 9) on
//    the same spikes of fixed weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"

namespace ssnn {

// ---- Figure 4: stochastic multiplication --------------------------------------------------------

// Mean and (population) standard deviation of a sample.
struct SampleStats {
  size_t n = 0;
  double mean = 0;
  double std = 0;
};
SampleStats sample_stats(const std::vector<double>& values);

// The operand grid of figure 4: {0, step, 2 step, ...} below 1 (paper: step 0.02, 50 values).
std::vector<double> product_grid(double step = 0.02);

// Every product a * b of the grid with itself (row-major, a outer), estimated stochastically: a and b
// become two independent Bernoulli trains of T steps from the chip's LFSR (probabilities in Q0.16,
// one draw per step, bernoulli() of lfsr.hpp); the estimate is the number of coincidences (AND of
// the two trains) divided by T.  The error of a pair is estimate - a * b (exact real product).
//
// Seeding (the project's rule, seeding.hpp): pair k uses key = sample_key(seed, Phase::kTest, 0, k);
// operand a's train is seeded with stream_seed(key, 0), b's with stream_seed(key, 1).  The trains do
// not depend on T, so a longer T extends the same trains.
struct StochasticMultResult {
  int timesteps = 0;
  uint64_t seed = 0;
  std::vector<double> a, b;     // the operands of each pair
  std::vector<double> error;    // estimate - a * b, one per pair
  SampleStats stats;            // of `error`
};
StochasticMultResult stochastic_mult_errors(int timesteps, uint64_t seed, double step = 0.02);

// Ideal standard deviation of the error over the grid: sqrt(mean over pairs of p (1 - p) / T), p = a b.
double stochastic_mult_ideal_std(int timesteps, double step = 0.02);

// ---- Figure 5: output distributions with and without WTA ----------------------------------------

// Output spike counts and predictions of every sample (inference, test-phase streams, sample i uses
// index i, as in evaluate()), for the first max_samples samples of `data` (0: all).  Runs on
// `threads` threads (0: all cores); the result does not depend on the thread count.
struct OutputRecords {
  std::vector<std::vector<int32_t>> counts;  // [sample][class]
  std::vector<int> prediction;               // [sample]
  double accuracy = 0;
};
OutputRecords output_counts(GoldenModel& model, const Dataset& data, size_t max_samples, int threads);

// The mean over samples of a per-sample distribution sorted in descending order ("output neuron
// ids sorted by response"), with the mean share of the top output and the mean entropy (bits).
struct SortedDistribution {
  std::vector<double> mean;  // mean[k]: mean share of the k-th largest output; sums to 1
  double top1 = 0;           // = mean[0]
  double entropy_bits = 0;   // mean over samples of the per-sample entropy
  size_t samples = 0;        // samples averaged
  size_t silent = 0;         // samples without any output spike (left out of the average)
};

// Counts normalised to sum 1 per sample (samples with no output spike are counted as silent).
SortedDistribution sorted_count_distribution(const std::vector<std::vector<int32_t>>& counts);

// softmax(logit_per_rate * counts / T) per sample: the raw outputs read as ANN activations.  The
// natural scale is the paper's theta = 5: a neuron's rate count/T is its ReLU activation / theta.
// A silent sample is uniform here (never counted as silent).
SortedDistribution sorted_softmax_distribution(const std::vector<std::vector<int32_t>>& counts, int timesteps,
                                               double logit_per_rate = 5.0);

// Figure 5 from one set of weights: inference with WTA off (raw), with WTA on (cfg.inhibition per
// output spike), and the softmax of the raw counts.  cfg.wta itself is ignored.
struct WtaComparison {
  SortedDistribution raw;      // cfg.wta = false
  SortedDistribution wta;      // cfg.wta = true
  SortedDistribution softmax;  // softmax of the raw counts
  double raw_accuracy = 0;
  double wta_accuracy = 0;
  std::vector<std::vector<int32_t>> raw_counts;  // [sample][class], WTA off: for softmax at other scales
};
WtaComparison compare_wta(const ModelConfig& cfg, const std::vector<WeightMatrix>& weights, const Dataset& data,
                          size_t max_samples, int threads, double logit_per_rate = 5.0);

// ---- Update agreement: eq. 10 (coincidences) against eq. 9 (rate products) ----------------------

// One weight layer (0 = input weights).  Per sample and cross-point (i, j), with n_x the row's forward
// spikes and n_pos / n_neg the column's gradient spikes over the T steps:
//   coincidence update  C_ij = #{t: x_i(t) and pos_j(t)} - #{t: x_i(t) and neg_j(t)}   (eq. 10, in pulses)
//   rate update         R_ij = n_x (n_pos - n_neg) / T                                (eq. 9, unrounded)
// C is what the chip's AND gates would apply if the weights did not move within the sample; R its
// rate-code expectation, exact when a row's spike times are independent of its columns'.
struct UpdateAgreementLayer {
  int rows = 0;                   // pre-synaptic neurons
  int cols = 0;                   // post-synaptic neurons
  uint64_t coincidences_pos = 0;  // sum over samples and cross-points of #{x AND pos}
  uint64_t coincidences_neg = 0;  // sum of #{x AND neg}
  double rate_pos = 0;            // sum of n_x n_pos / T
  double rate_neg = 0;            // sum of n_x n_neg / T
  double ratio_pos = 0;           // coincidences_pos / rate_pos (NaN if rate_pos == 0)
  double ratio_neg = 0;           // coincidences_neg / rate_neg (NaN if rate_neg == 0)
  double mean_sample_cosine = 0;  // mean over `samples` of cos(C, R) of one sample (NaN if samples == 0)
  double summed_cosine = 0;       // cos(sum of C, sum of R) over all samples: the bias left after averaging
  double norm_ratio = 0;          // |sum of C| / |sum of R|
  double slope = 0;               // <sum R, sum C> / <sum R, sum R>: least-squares gain of C on R
  size_t samples = 0;             // samples in which both C and R are non-zero (the cosine is defined)
};

struct UpdateAgreement {
  size_t samples = 0;   // samples run
  size_t correct = 0;   // of them, predicted correctly during their (learning-phase) presentation
  std::vector<UpdateAgreementLayer> layers;  // one per weight layer
};

// Runs the first max_samples samples of `data` (0: all; normally a training split) through a model with
// `cfg` and `weights` as a training sample would run (spec {Phase::kTrain, epoch 0, index i,
// learn = true}: training-phase random streams of epoch 0 with sample index i, so the spikes are those
// of the first epoch's i-th sample before shuffling; cfg's dropout and its training thresholds apply).
// The weights stay fixed: the model runs in rate mode (no update within the sample) and the cross-points
// its end-of-sample update wrote are restored before the next sample, so every sample sees `weights`
// and the result does not depend on the order of the samples.  cfg.update_mode and cfg.pulse are
// ignored (the measure is in coincidences, not pulses).  Single-threaded.  Throws std::invalid_argument
// if the weights or the data do not fit cfg, and ConfigError if cfg is invalid.
UpdateAgreement compare_updates(const ModelConfig& cfg, const std::vector<WeightMatrix>& weights, const Dataset& data,
                                size_t max_samples);

}  // namespace ssnn
