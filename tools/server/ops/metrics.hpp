// Metrics in the Prometheus text exposition format 0.0.4, for GET /metrics.
// Implemented: counter and histogram families with labels, the server's request counter and
// latency histogram, label and help escaping, a bound on series per family.
// Missing: gauges, summaries, exemplars, the OpenMetrics format.
//
// Thread-safe. The hot path is one shared-lock map lookup and relaxed atomic adds; a caller
// that keeps the Counter& or Histogram& from with() skips the lookup (references stay valid
// as long as the Metrics object lives).
//
// Label values must come from a small fixed set: pass route templates ("/v1/members/:id"),
// never raw request paths, or every member id becomes a series. As a safety net a family holds
// at most series_max label combinations; further new combinations are all counted in one
// series whose label values are all "other".
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kopilka::server {

constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

// Upper bounds of the latency buckets in ms; +Inf is implied.
const std::vector<double>& latency_buckets_ms();

class Counter {
public:
    void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);  // ascending upper bounds, without +Inf
    void observe(double value);                      // NaN is ignored

    struct Snapshot {
        std::vector<std::uint64_t> cumulative;  // per bound, then +Inf
        std::uint64_t count = 0;                // equals cumulative.back()
        double sum = 0;
    };
    Snapshot snapshot() const;
    const std::vector<double>& bounds() const { return bounds_; }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, not cumulative
    std::atomic<double> sum_{0.0};
};

// A metric name with labels: one series per combination of label values. with() takes one
// value per label name, in the order of the names; a wrong count aborts (a programmer error).
class CounterFamily {
public:
    ~CounterFamily();
    Counter& with(std::initializer_list<std::string_view> label_values);
    Counter& with(const std::vector<std::string_view>& label_values);

private:
    friend class Metrics;
    struct Impl;
    explicit CounterFamily(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

class HistogramFamily {
public:
    ~HistogramFamily();
    Histogram& with(std::initializer_list<std::string_view> label_values);
    Histogram& with(const std::vector<std::string_view>& label_values);

private:
    friend class Metrics;
    struct Impl;
    explicit HistogramFamily(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

struct MetricsOptions {
    std::size_t series_per_family_max = 1000;
};

// The registry. It starts with the server's two families; others are added with counter()
// and histogram(), usually at start-up.
class Metrics {
public:
    explicit Metrics(MetricsOptions options = {});
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // Names and label names must be valid Prometheus names ("le" is reserved for histograms)
    // and a name is registered once; breaking that is a programmer error and aborts.
    CounterFamily& counter(std::string name, std::string help,
                           std::vector<std::string> label_names);
    HistogramFamily& histogram(std::string name, std::string help,
                               std::vector<std::string> label_names,
                               std::vector<double> bounds = latency_buckets_ms());

    // kopilka_http_requests_total{route,method,status}. route is the route template.
    void count_request(std::string_view route, std::string_view method, int status);
    // kopilka_http_request_duration_ms{route}. route is the route template.
    void observe_latency(std::string_view route, double ms);

    // Every family in registration order, its series sorted by label values.
    std::string render() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Exposed for tests and other exporters.
std::string escape_label_value(std::string_view v);  // \ → \\, " → \", newline → \n
std::string escape_help(std::string_view v);         // \ → \\, newline → \n
std::string format_sample_value(double v);           // shortest round-trip form, +Inf, NaN
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

}  // namespace kopilka::server
