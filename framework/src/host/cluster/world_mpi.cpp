// The world of an MPI launch: messages of any size as byte strings, a thread that keeps posted
// messages moving while the ranks compute, and the run's end.
// MPI's C interface only: the deprecated C++ bindings need a library of their own.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cluster/world.hpp"

namespace blindspot::host::world {

namespace {

constexpr std::size_t kChunk = std::size_t{1} << 30;  // bytes per MPI message (counts are int)

/// A message on its way out: its bytes stay alive until every part was sent.
struct Outgoing {
  std::uint64_t size = 0;
  std::string bytes;
  std::vector<MPI_Request> requests;
};

struct State {
  bool joined = false;
  int rank = 0, size = 1;
  std::mutex mutex;  // guards `outgoing`
  std::list<Outgoing> outgoing;
  std::thread mover;
  std::atomic<bool> stopping{false};
  std::mutex watch_mutex;  // guards the watched tag and its handler
  int watched = -1;
  std::function<void(const Message&)> handler;
};

State& state() {
  static State s;
  return s;
}

/// Whether an MPI launcher started this process: mpirun and mpiexec (Open MPI, MPICH) and
/// srun with PMI or PMIx set one of these.
bool launched_by_mpi() {
  for (const char* name :
       {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS"})
    if (std::getenv(name)) return true;
  return false;
}

/// Frees the messages that are fully sent; MPI_Testall also moves the others along.
void move_outgoing(State& s) {
  const std::lock_guard<std::mutex> hold(s.mutex);
  for (auto it = s.outgoing.begin(); it != s.outgoing.end();) {
    int done = 0;
    MPI_Testall(static_cast<int>(it->requests.size()), it->requests.data(), &done,
                MPI_STATUSES_IGNORE);
    it = done ? s.outgoing.erase(it) : std::next(it);
  }
}

/// Hands a message under the watched tag, if one arrived, to its handler.
void deliver_watched(State& s) {
  const std::lock_guard<std::mutex> hold(s.watch_mutex);
  if (s.watched < 0) return;
  if (std::optional<Message> message = poll(-1, s.watched)) s.handler(*message);
}

void sleep_a_little(int& micros) {
  std::this_thread::sleep_for(std::chrono::microseconds(micros));
  micros = std::min(micros * 2, 5000);
}

}  // namespace

bool built_with_mpi() {
  return true;
}

void join(int& argc, char**& argv) {
  State& s = state();
  if (s.joined || !launched_by_mpi()) return;
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  s.joined = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &s.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &s.size);
  if (provided < MPI_THREAD_MULTIPLE && s.size > 1) {
    if (s.rank == 0)
      std::fprintf(stderr,
                   "blindspot: this MPI library cannot be called from several threads "
                   "(MPI_THREAD_MULTIPLE), which a run across ranks needs\n");
    MPI_Finalize();
    std::exit(2);
  }
  // A large message leaves only while MPI is called; this thread calls it while ranks compute.
  if (s.size > 1)
    s.mover = std::thread([&s] {
      while (!s.stopping) {
        move_outgoing(s);
        deliver_watched(s);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
}

void leave() {
  State& s = state();
  if (!s.joined) return;
  {
    const std::lock_guard<std::mutex> hold(s.mutex);
    for (Outgoing& message : s.outgoing)
      MPI_Waitall(static_cast<int>(message.requests.size()), message.requests.data(),
                  MPI_STATUSES_IGNORE);
    s.outgoing.clear();
  }
  s.stopping = true;
  if (s.mover.joinable()) s.mover.join();
  MPI_Finalize();
  s.joined = false;
}

int rank() {
  return state().rank;
}
int size() {
  return state().size;
}

void post(int to, int tag, std::string bytes) {
  State& s = state();
  const std::lock_guard<std::mutex> hold(s.mutex);
  Outgoing& message = s.outgoing.emplace_back();
  message.size = bytes.size();
  message.bytes = std::move(bytes);
  // The size first, then the bytes in parts of at most kChunk: messages between two ranks
  // under one tag arrive in the order they were sent.
  message.requests.emplace_back();
  MPI_Isend(&message.size, 1, MPI_UINT64_T, to, tag, MPI_COMM_WORLD, &message.requests.back());
  for (std::size_t offset = 0; offset < message.bytes.size(); offset += kChunk) {
    const auto count = static_cast<int>(std::min(kChunk, message.bytes.size() - offset));
    message.requests.emplace_back();
    MPI_Isend(message.bytes.data() + offset, count, MPI_BYTE, to, tag, MPI_COMM_WORLD,
              &message.requests.back());
  }
}

void watch(int tag, std::function<void(const Message&)> handler) {
  State& s = state();
  const std::lock_guard<std::mutex> hold(s.watch_mutex);
  s.watched = tag;
  s.handler = std::move(handler);
}

std::optional<Message> poll(int from, int tag) {
  int found = 0;
  MPI_Message handle;
  MPI_Status status;
  MPI_Improbe(from < 0 ? MPI_ANY_SOURCE : from, tag, MPI_COMM_WORLD, &found, &handle, &status);
  if (!found) return std::nullopt;
  std::uint64_t size = 0;
  MPI_Mrecv(&size, 1, MPI_UINT64_T, &handle, MPI_STATUS_IGNORE);
  Message message{status.MPI_SOURCE, tag, std::string(size, '\0')};
  for (std::size_t offset = 0; offset < size; offset += kChunk) {
    const auto count = static_cast<int>(std::min<std::size_t>(kChunk, size - offset));
    MPI_Recv(message.bytes.data() + offset, count, MPI_BYTE, message.source, tag, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  }
  return message;
}

Message wait(int from, int tag) {
  int micros = 20;
  while (true) {
    if (std::optional<Message> message = poll(from, tag)) return std::move(*message);
    sleep_a_little(micros);
  }
}

void abort(int code) {
  if (!state().joined) std::_Exit(code);
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

}  // namespace blindspot::host::world
