#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <type_traits>
#include <variant>

namespace kopilka::server {

namespace {
// Programmer errors (a bad metric name, a wrong number of label values) stop the program, as
// KOPILKA_ASSERT does; this library depends on nothing but the standard library.
void require(bool ok, const char* what, std::string_view detail) {
    if (ok) return;
    const int n = static_cast<int>(detail.size());
    std::fprintf(stderr, "metrics: %s: %.*s\n", what, n, detail.data());
    std::abort();
}

// Orders label-value lists of any string type, so lookups need no std::string copies.
struct LabelsLess {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
        return std::lexicographical_compare(
            a.begin(), a.end(), b.begin(), b.end(),
            [](std::string_view x, std::string_view y) { return x < y; });
    }
};

// The series of one family. New series are created under the exclusive lock; lookups of
// existing ones share the lock. Series live in unique_ptrs, so references stay valid.
template <class Series>
struct SeriesMap {
    std::string name;
    std::string help;
    std::vector<std::string> label_names;
    std::size_t series_max = 1;
    std::vector<double> bounds;  // histograms only

    mutable std::shared_mutex mutex;
    std::map<std::vector<std::string>, std::unique_ptr<Series>, LabelsLess> series;

    std::unique_ptr<Series> make() const {
        if constexpr (std::is_same_v<Series, Histogram>) {
            return std::make_unique<Histogram>(bounds);
        } else {
            return std::make_unique<Series>();
        }
    }

    template <class Values>
    Series& with(const Values& values) {
        require(values.size() == label_names.size(), "wrong number of label values for", name);
        {
            std::shared_lock<std::shared_mutex> lock(mutex);
            auto it = series.find(values);
            if (it != series.end()) return *it->second;
        }
        std::unique_lock<std::shared_mutex> lock(mutex);
        auto it = series.find(values);
        if (it != series.end()) return *it->second;
        std::vector<std::string> key(values.begin(), values.end());
        if (series.size() >= series_max) {
            // The overflow series: all further new combinations are counted together.
            std::fill(key.begin(), key.end(), "other");
            it = series.find(key);
            if (it != series.end()) return *it->second;
        }
        return *series.emplace(std::move(key), make()).first->second;
    }
};

void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view le = {}) {
    if (names.empty() && le.empty()) return;
    out += '{';
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i) out += ',';
        out += names[i];
        out += "=\"";
        out += escape_label_value(values[i]);
        out += '"';
    }
    if (!le.empty()) {
        if (!names.empty()) out += ',';
        out += "le=\"";
        out += le;
        out += '"';
    }
    out += '}';
}

template <class Series>
void append_header(std::string& out, const SeriesMap<Series>& f, const char* type) {
    out += "# HELP " + f.name + ' ' + escape_help(f.help) + '\n';
    out += "# TYPE " + f.name + ' ' + type + '\n';
}

void render_family(std::string& out, const SeriesMap<Counter>& f) {
    append_header(out, f, "counter");
    std::shared_lock<std::shared_mutex> lock(f.mutex);
    for (const auto& [values, counter] : f.series) {
        out += f.name;
        append_labels(out, f.label_names, values);
        out += ' ' + std::to_string(counter->value()) + '\n';
    }
}

void render_family(std::string& out, const SeriesMap<Histogram>& f) {
    append_header(out, f, "histogram");
    std::vector<std::string> le;
    for (double b : f.bounds) le.push_back(format_sample_value(b));
    le.push_back("+Inf");
    std::shared_lock<std::shared_mutex> lock(f.mutex);
    for (const auto& [values, histogram] : f.series) {
        const Histogram::Snapshot s = histogram->snapshot();
        for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
            out += f.name + "_bucket";
            append_labels(out, f.label_names, values, le[i]);
            out += ' ' + std::to_string(s.cumulative[i]) + '\n';
        }
        out += f.name + "_sum";
        append_labels(out, f.label_names, values);
        out += ' ' + format_sample_value(s.sum) + '\n';
        out += f.name + "_count";
        append_labels(out, f.label_names, values);
        out += ' ' + std::to_string(s.count) + '\n';
    }
}

std::vector<double> clean_bounds(std::vector<double> bounds) {
    const auto not_finite = [](double b) { return !std::isfinite(b); };
    bounds.erase(std::remove_if(bounds.begin(), bounds.end(), not_finite), bounds.end());
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    return bounds;
}
}  // namespace

const std::vector<double>& latency_buckets_ms() {
    static const std::vector<double> buckets = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500};
    return buckets;
}

// [SECTION] Histogram

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(clean_bounds(std::move(bounds))),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double value) {
    if (std::isnan(value)) return;
    // Bucket i counts values <= bounds_[i]; the last one (+Inf) counts the rest.
    const auto i = static_cast<std::size_t>(
        std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    double sum = sum_.load(std::memory_order_relaxed);
    while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
    }
}

Histogram::Snapshot Histogram::snapshot() const {
    // count is derived from the buckets, so the +Inf bucket always equals _count even while
    // other threads observe.
    Snapshot s;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += counts_[i].load(std::memory_order_relaxed);
        s.cumulative.push_back(running);
    }
    s.count = running;
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

// [SECTION] Families

struct CounterFamily::Impl : SeriesMap<Counter> {};
struct HistogramFamily::Impl : SeriesMap<Histogram> {};

CounterFamily::CounterFamily(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CounterFamily::~CounterFamily() = default;
Counter& CounterFamily::with(std::initializer_list<std::string_view> values) {
    return impl_->with(values);
}
Counter& CounterFamily::with(const std::vector<std::string_view>& values) {
    return impl_->with(values);
}

HistogramFamily::HistogramFamily(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HistogramFamily::~HistogramFamily() = default;
Histogram& HistogramFamily::with(std::initializer_list<std::string_view> values) {
    return impl_->with(values);
}
Histogram& HistogramFamily::with(const std::vector<std::string_view>& values) {
    return impl_->with(values);
}

// [SECTION] Registry

struct Metrics::Impl {
    using Family = std::variant<std::unique_ptr<CounterFamily>, std::unique_ptr<HistogramFamily>>;

    MetricsOptions options;
    mutable std::mutex mutex;  // guards the list of families, not their series
    std::vector<Family> families;
    CounterFamily* requests = nullptr;
    HistogramFamily* latency = nullptr;

    // A new family's series map with its name checked; called with mutex held.
    template <class FamilyImpl>
    std::unique_ptr<FamilyImpl> make(std::string name, std::string help,
                                     std::vector<std::string> label_names) const {
        require(valid_metric_name(name), "invalid metric name", name);
        for (const auto& l : label_names) {
            require(valid_label_name(l) && l != "le", "invalid label name", l);
        }
        for (const auto& f : families) {
            const auto name_of = [](const auto& p) -> const std::string& { return p->impl_->name; };
            require(std::visit(name_of, f) != name, "metric registered twice", name);
        }
        auto impl = std::make_unique<FamilyImpl>();
        impl->name = std::move(name);
        impl->help = std::move(help);
        impl->label_names = std::move(label_names);
        impl->series_max = options.series_per_family_max;
        return impl;
    }
};

Metrics::Metrics(MetricsOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options.series_per_family_max = std::max<std::size_t>(options.series_per_family_max, 1);
    impl_->requests = &counter("kopilka_http_requests_total",
                               "HTTP requests by route template, method and status.",
                               {"route", "method", "status"});
    impl_->latency = &histogram(
        "kopilka_http_request_duration_ms",
        "Time from routing to the response, in milliseconds, by route template.", {"route"});
}

Metrics::~Metrics() = default;

CounterFamily& Metrics::counter(std::string name, std::string help,
                                std::vector<std::string> label_names) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto f = impl_->make<CounterFamily::Impl>(std::move(name), std::move(help),
                                              std::move(label_names));
    auto family = std::unique_ptr<CounterFamily>(new CounterFamily(std::move(f)));
    CounterFamily& ref = *family;
    impl_->families.emplace_back(std::move(family));
    return ref;
}

HistogramFamily& Metrics::histogram(std::string name, std::string help,
                                    std::vector<std::string> label_names,
                                    std::vector<double> bounds) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto f = impl_->make<HistogramFamily::Impl>(std::move(name), std::move(help),
                                                std::move(label_names));
    f->bounds = clean_bounds(std::move(bounds));
    auto family = std::unique_ptr<HistogramFamily>(new HistogramFamily(std::move(f)));
    HistogramFamily& ref = *family;
    impl_->families.emplace_back(std::move(family));
    return ref;
}

void Metrics::count_request(std::string_view route, std::string_view method, int status) {
    char buf[16];
    const int n = std::snprintf(buf, sizeof buf, "%d", status);
    const std::string_view status_text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    impl_->requests->with({route, method, status_text}).inc();
}

void Metrics::observe_latency(std::string_view route, double ms) {
    impl_->latency->with({route}).observe(ms);
}

std::string Metrics::render() const {
    std::string out;
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (const auto& f : impl_->families) {
        std::visit([&out](const auto& p) { render_family(out, *p->impl_); }, f);
    }
    return out;
}

// [SECTION] Text format helpers

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            default: out += c; break;
        }
    }
    return out;
}

std::string escape_help(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            default: out += c; break;
        }
    }
    return out;
}

std::string format_sample_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[32];
    // Whole numbers print without an exponent up to 2^53; others in the fewest digits that
    // read back as the same double.
    if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
        return buf;
    }
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

bool valid_metric_name(std::string_view name) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

bool valid_label_name(std::string_view name) {
    if (name.empty() || name.substr(0, 2) == "__") return false;  // "__" is reserved
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

}  // namespace kopilka::server
