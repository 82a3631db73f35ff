// The processes one run is spread over: this one alone, or the ranks an MPI launcher started.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace blindspot::host {

/// A message from another rank.
struct Message {
  int source = 0;
  int tag = 0;
  std::string bytes;
};

/// This process's place among the ranks of a run, and the messages between them. Outside an
/// MPI launcher (mpirun, mpiexec, srun), and in a build without MPI, this is rank 0 of 1 and
/// no MPI function is ever called.
namespace world {

/// Whether this build can run across MPI ranks.
bool built_with_mpi();
/// Joins the ranks of an MPI launch (before any thread starts); alone, does nothing.
void join(int& argc, char**& argv);
/// Waits until every posted message was delivered and leaves MPI, if join() entered it.
void leave();
/// This process's rank, 0 to size() - 1.
int rank();
/// How many ranks the run has.
int size();
/// Sends `bytes` to rank `to` under `tag` and returns at once; the bytes are kept until sent.
void post(int to, int tag, std::string bytes);
/// A message under `tag` from rank `from` (-1: any rank), if one has arrived.
std::optional<Message> poll(int from, int tag);
/// Waits for a message under `tag` from `from` (-1: any rank), sleeping between polls so that
/// a waiting rank leaves the cores to the others.
Message wait(int from, int tag);
/// Calls `handler` (on a thread of the world's own) for each message under `tag` that arrives
/// from now on; one handler at a time.
void watch(int tag, std::function<void(const Message&)> handler);
/// Ends every rank of the run at once, with exit code `code`.
[[noreturn]] void abort(int code);

}  // namespace world

}  // namespace blindspot::host
