// The Szegedy search: a line search over c per problem, its box solves streamed to drivers.
#include "solve.hpp"

#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

namespace blindspot::szegedy {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Per row, the loss whose minimum the attack seeks: CE(logits, label) when targeted; when
/// untargeted, -log(1 - p_label), the cross-entropy of "any label but this one", computed as
/// logsumexp(z) - logsumexp(z without the label). Both are bounded below by 0, so the minimiser
/// stops near the decision boundary instead of running past it (ascending CE is unbounded).
at::Tensor attack_loss(const at::Tensor& logits, const at::Tensor& label, bool untargeted) {
  if (!untargeted)
    return torch::nn::functional::cross_entropy(
        logits, label, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  const at::Tensor others =
      logits.scatter(1, label.unsqueeze(1), -std::numeric_limits<float>::infinity());
  return logits.logsumexp(1) - others.logsumexp(1);
}

/// What all drivers share. Each problem belongs to one driver, so the rows of `out` are
/// written without locks.
struct Shared {
  Shared(const Classifier& net_, std::vector<std::int64_t> batch_shape_, const Problems& p_,
         const Search& search_, const Schedule& schedule_, Found& out_,
         const std::function<void()>& solved_)
      : net(net_),
        batch_shape(std::move(batch_shape_)),
        p(p_),
        search(search_),
        schedule(schedule_),
        out(out_),
        lower(at::zeros({p_.x.size(1)}, at::kDouble)),
        upper(at::ones({p_.x.size(1)}, at::kDouble)),
        solved(solved_) {}

  const Classifier& net;
  std::vector<std::int64_t> batch_shape;  // [-1, C, H, W]
  const Problems& p;
  const Search& search;
  const Schedule& schedule;
  Found& out;
  at::Tensor lower, upper;  // float64 [D]: the box [0, 1]
  std::atomic<bool> failed{false};
  std::mutex solved_mutex;
  const std::function<void()>& solved;
};

/// A problem between its solves: the state of its line search and its latest minimiser.
struct Flight {
  double c = 0.0, low = 0.0, high = 0.0;
  std::int64_t steps = 0;
  at::Tensor last;  // float64 [D]
};

/// One batched driver: a queue of box solves for the optimiser, and their objective.
class Driver final : public ProblemQueue {
 public:
  /// Driver `index` of `drivers` takes problems index, index + drivers, ...: a fixed share,
  /// so each driver's batches, and hence the results, do not depend on thread timing.
  Driver(Shared& shared, std::int64_t index, std::int64_t drivers)
      : s_(shared), d_(shared.p.x.size(1)), next_problem_(index), stride_(drivers) {}

  bool next(std::int64_t& id, BoxStart& start) override {
    if (!finished_.empty()) judge();
    if (s_.failed) return false;
    if (ready_.empty() && !take_new_problem()) return false;
    id = ready_.front();
    ready_.pop_front();
    const Flight& flight = flights_.at(id);
    start = {s_.schedule.warm_start ? flight.last : s_.p.x[id], s_.lower, s_.upper};
    return true;
  }

  void finish(std::int64_t id, const BoxOutcome& outcome) override {
    finished_.emplace_back(id, outcome);
  }

  /// f = c * ||x' - x||^2 + loss(f(x'), label) over x' in [0, 1]: the squared norm keeps f
  /// smooth at r = 0. One forward/backward for the whole batch, the gradient taken with respect
  /// to the input only; the penalty and its gradient in one pass per row, into f and grad.
  void objective(const at::Tensor& which, const at::Tensor& xp, at::Tensor& f, at::Tensor& grad) {
    if (s_.failed) throw std::runtime_error("stopped: another driver failed");
    const auto started = Clock::now();
    const std::int64_t m = which.size(0);
    torch::AutoGradMode enable(true);
    const at::Tensor input = xp.to(at::kFloat).view(s_.batch_shape).requires_grad_(true);
    const at::Tensor loss =
        attack_loss(s_.net.logits(input), s_.p.label.index_select(0, which), s_.p.untargeted);
    const at::Tensor g = torch::autograd::grad({loss.sum()}, {input})[0].view({m, d_}).contiguous();
    const at::Tensor loss_values = loss.detach().to(at::kDouble).contiguous();
    const auto real = at::TensorOptions().dtype(at::kDouble);
    if (!f.defined() || f.numel() != m || f.scalar_type() != at::kDouble || !f.is_contiguous())
      f = at::empty({m}, real);
    if (!grad.defined() || !grad.sizes().equals({m, d_}) || grad.scalar_type() != at::kDouble ||
        !grad.is_contiguous())
      grad = at::empty({m, d_}, real);
    const at::Tensor points = xp.to(at::kDouble).contiguous();
    for (std::int64_t k = 0; k < m; ++k) {
      const std::int64_t row = which.data_ptr<std::int64_t>()[k];
      const double c = flights_.at(row).c;
      const double* moved = points.data_ptr<double>() + k * d_;
      const double* clean = s_.p.x.data_ptr<double>() + row * d_;
      const float* loss_gradient = g.data_ptr<float>() + k * d_;
      double* out = grad.data_ptr<double>() + k * d_;
      double squared = 0.0;
      for (std::int64_t j = 0; j < d_; ++j) {
        const double r = moved[j] - clean[j];
        squared += r * r;
        out[j] = 2 * c * r + loss_gradient[j];
      }
      f.data_ptr<double>()[k] = c * squared + loss_values.data_ptr<double>()[k];
    }
    timing.model += seconds_since(started);
  }

  Timing timing;

 private:
  // Starts the next unstarted problem that is to be attacked; false when none is left.
  bool take_new_problem() {
    const std::int64_t total = s_.p.x.size(0);
    while (next_problem_ < total) {
      const std::int64_t row = next_problem_;
      next_problem_ += stride_;
      if (s_.p.skip[row].item<bool>()) {
        report_solved();
        continue;
      }
      const SearchState begun = s_.search.begin(1);
      flights_[row] = {begun.c.item<double>(), begun.low.item<double>(), begun.high.item<double>(),
                       begun.steps.item<std::int64_t>(), s_.p.x[row]};
      ready_.push_back(row);
      return true;
    }
    return false;
  }

  // Classifies the finished solves together, keeps each problem's closest success, and
  // moves their searches: problems whose search goes on are ready for their next solve.
  void judge() {
    const auto started = Clock::now();
    const auto k = static_cast<std::int64_t>(finished_.size());
    std::vector<at::Tensor> points;
    std::vector<std::int64_t> ids;
    for (const auto& [id, outcome] : finished_) {
      ids.push_back(id);
      points.push_back(outcome.x);
    }
    const at::Tensor rows = at::tensor(ids, at::kLong);
    // Judge, and measure, the float32 image that would be reported.
    const at::Tensor image = at::stack(points).to(at::kFloat);
    const at::Tensor moved = image.to(at::kDouble).contiguous();
    const at::Tensor label = s_.p.label.index_select(0, rows);
    const at::Tensor won = succeeded(image.view(s_.batch_shape), label);
    const at::Tensor distance = (moved - s_.p.x.index_select(0, rows)).pow(2).sum(1).contiguous();
    SearchState state = search_state(ids);
    const at::Tensor tried = state.c.clone();
    s_.search.update(state, won.to(at::kByte));
    for (std::int64_t i = 0; i < k; ++i) {
      const std::int64_t row = ids[i];
      record(row, i, finished_[i].second, moved, distance.data_ptr<double>()[i],
             won[i].item<bool>(), tried.data_ptr<double>()[i]);
      Flight& flight = flights_.at(row);
      flight.last = moved[i];
      flight.c = state.c.data_ptr<double>()[i];
      flight.low = state.low.data_ptr<double>()[i];
      flight.high = state.high.data_ptr<double>()[i];
      flight.steps = state.steps.data_ptr<std::int64_t>()[i];
      if (state.done.data_ptr<std::uint8_t>()[i]) {
        flights_.erase(row);
        report_solved();
      } else {
        ready_.push_back(row);
      }
    }
    finished_.clear();
    timing.judging += seconds_since(started);
  }

  // Writes what one solve of problem `row` gave into the shared results.
  void record(std::int64_t row, std::int64_t i, const BoxOutcome& outcome, const at::Tensor& moved,
              double distance, bool won, double c) {
    Found& out = s_.out;
    bool& found = out.found.data_ptr<bool>()[row];
    double& best = out.distance.data_ptr<double>()[row];
    // The closest success so far, or the latest minimiser while nothing has succeeded.
    if ((won && distance < best) || !found) {
      const double* from = moved.data_ptr<double>() + i * d_;
      std::copy(from, from + d_, out.x.data_ptr<double>() + row * d_);
    }
    if (won && distance < best) best = distance;
    if (won) {
      found = true;
      double& largest = out.c.data_ptr<double>()[row];
      largest = std::max(largest, c);
    }
    out.iterations.data_ptr<std::int64_t>()[row] += outcome.iterations;
    out.evaluations.data_ptr<std::int64_t>()[row] += outcome.evaluations;
    out.solves.data_ptr<std::int64_t>()[row] += 1;
  }

  // Whether each image reaches its goal with a margin: the label's logit beats every other
  // by `margin` (targeted), or some other logit beats the label's by it (untargeted). A
  // minimum-distortion x' lies on the decision boundary, where a forward pass in another
  // batch could otherwise round the other way.
  at::Tensor succeeded(const at::Tensor& images, const at::Tensor& label) const {
    torch::NoGradGuard no_grad;
    const at::Tensor logits = s_.net.logits(images).to(at::kDouble);
    const at::Tensor own = logits.gather(1, label.unsqueeze(1)).squeeze(1);
    const at::Tensor others =
        logits.scatter(1, label.unsqueeze(1), -std::numeric_limits<double>::infinity()).amax(1);
    return s_.p.untargeted ? others.gt(own + s_.p.margin) : own.gt(others + s_.p.margin);
  }

  // The search states of the problems `ids`, one row each.
  SearchState search_state(const std::vector<std::int64_t>& ids) const {
    std::vector<double> c, low, high;
    std::vector<std::int64_t> steps;
    for (std::int64_t id : ids) {
      const Flight& flight = flights_.at(id);
      c.push_back(flight.c);
      low.push_back(flight.low);
      high.push_back(flight.high);
      steps.push_back(flight.steps);
    }
    const auto k = static_cast<std::int64_t>(ids.size());
    return {at::tensor(c, at::kDouble), at::tensor(low, at::kDouble), at::tensor(high, at::kDouble),
            at::tensor(steps, at::kLong), at::zeros({k}, at::kByte)};
  }

  void report_solved() {
    std::lock_guard<std::mutex> lock(s_.solved_mutex);
    if (s_.solved) s_.solved();
  }

  Shared& s_;
  const std::int64_t d_;
  std::int64_t next_problem_;
  const std::int64_t stride_;
  std::unordered_map<std::int64_t, Flight> flights_;
  std::vector<std::pair<std::int64_t, BoxOutcome>> finished_;
  std::deque<std::int64_t> ready_;
};

}  // namespace

Found solve(const Classifier& net, const std::vector<std::int64_t>& shape, const Problems& p,
            const Optimiser& optimiser, const Search& search, const Schedule& schedule,
            RunContext& ctx, const std::function<void()>& solved) {
  const auto started = Clock::now();
  const std::int64_t n = p.x.size(0);
  const auto real = at::TensorOptions().dtype(at::kDouble);
  Found out{p.x.clone().contiguous(),
            at::zeros({n}, at::kBool),
            at::full({n}, std::numeric_limits<double>::infinity(), real),
            at::zeros({n}, real),
            at::zeros({n}, at::kLong),
            at::zeros({n}, at::kLong),
            at::zeros({n}, at::kLong),
            {}};
  std::vector<std::int64_t> batch_shape{-1};
  batch_shape.insert(batch_shape.end(), shape.begin(), shape.end());
  Problems problems = p;  // the objective reads the clean images' rows in place
  problems.x = p.x.to(at::kDouble).contiguous();
  Shared shared(net, batch_shape, problems, search, schedule, out, solved);
  const int drivers = std::max(0, schedule.drivers);
  const int stride = schedule.total > 0 ? schedule.total : std::max(1, drivers);
  std::vector<Timing> timings(static_cast<std::size_t>(drivers));
  std::exception_ptr first_error;
  std::mutex error_mutex;
  // Each driver is single-threaded: one per core beats LibTorch's threads on small batches.
  // A thread's OpenMP setting (which OpenBLAS follows too) is its own, so each driver sets it.
  const int torch_threads = at::get_num_threads();
  const auto work = [&](int k) {
    try {
      at::set_num_threads(1);
      Driver driver(shared, schedule.first + k, stride);
      const auto begun = Clock::now();
      optimiser.stream(
          driver, schedule.capacity,
          [&driver](const at::Tensor& which, const at::Tensor& x, at::Tensor& f, at::Tensor& g) {
            driver.objective(which, x, f, g);
          },
          ctx);
      Timing& t = timings[static_cast<std::size_t>(k)];
      t = driver.timing;
      t.optimiser = seconds_since(begun) - t.model - t.judging;
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!shared.failed.exchange(true)) first_error = std::current_exception();
    }
  };
  if (drivers == 1) {
    work(0);
  } else {
    std::vector<std::thread> threads;
    for (int k = 0; k < drivers; ++k) threads.emplace_back(work, k);
    for (std::thread& t : threads) t.join();
  }
  at::set_num_threads(torch_threads);
  if (first_error) std::rethrow_exception(first_error);
  for (const Timing& t : timings) {
    out.timing.model += t.model;
    out.timing.judging += t.judging;
    out.timing.optimiser += t.optimiser;
  }
  out.timing.wall = seconds_since(started);
  return out;
}

}  // namespace blindspot::szegedy
