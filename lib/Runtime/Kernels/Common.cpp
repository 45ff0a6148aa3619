//===- Common.cpp - What the host kernels share ---------------------------===//

#include "Common.h"

#include <cstdint>

#include <cstdlib>
#include <cstring>

#include <pthread.h>

namespace anvil::kernels {

namespace {

Isa detectIsa() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const char *pinned = std::getenv("ANVIL_GEMM_ISA");
  bool allow512 = !pinned || std::strcmp(pinned, "avx512") == 0;
  bool allow2 = allow512 || std::strcmp(pinned, "avx2") == 0;
  if (allow512 && __builtin_cpu_supports("avx512f"))
    return Isa::Avx512;
  if (allow2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return Isa::Avx2;
#endif
  return Isa::Generic;
}

static_assert(sizeof(pthread_key_t) <= sizeof(unsigned long),
              "ExitKey holds a pthread_key_t");

pthread_mutex_t recordsLock = PTHREAD_MUTEX_INITIALIZER;
ThreadRecord *records;

/// Releases `record` and takes it off the list; the caller holds
/// recordsLock.
void unlist(ThreadRecord &record) {
  record.release(&record);
  (record.prev ? record.prev->next : records) = record.next;
  if (record.next)
    record.next->prev = record.prev;
  record.prev = record.next = nullptr;
  record.listed = false;
}

void releaseAtExit(void *record) {
  pthread_mutex_lock(&recordsLock);
  if (static_cast<ThreadRecord *>(record)->listed)
    unlist(*static_cast<ThreadRecord *>(record));
  pthread_mutex_unlock(&recordsLock);
}

// Plain pointers (no destructor, no guarded statics) keep the kernels free
// of the C++ runtime, which an artifact does not link.
struct Scratch {
  ThreadRecord record;
  float *data[kNumScratchSlots];
  size_t size[kNumScratchSlots];
};

ExitKey scratchExitKey;

void releaseScratch(ThreadRecord *record) {
  auto *s = reinterpret_cast<Scratch *>(record);
  for (int slot = 0; slot < kNumScratchSlots; ++slot) {
    std::free(s->data[slot]);
    s->data[slot] = nullptr;
    s->size[slot] = 0;
  }
}

thread_local Scratch scratchOfThread = {
    {releaseScratch, nullptr, nullptr, &scratchExitKey, false}, {}, {}};

} // namespace

bool listThreadRecord(ThreadRecord &record) {
  ExitKey &exit = *record.exitKey;
  pthread_mutex_lock(&recordsLock);
  pthread_key_t key = static_cast<pthread_key_t>(exit.key);
  if (!exit.made) {
    exit.made = pthread_key_create(&key, releaseAtExit) == 0;
    exit.key = key;
  }
  bool ok = exit.made && pthread_setspecific(key, &record) == 0;
  if (ok) {
    record.next = records;
    if (records)
      records->prev = &record;
    records = &record;
    record.listed = true;
  }
  pthread_mutex_unlock(&recordsLock);
  return ok;
}

void releaseThreadRecords() {
  pthread_mutex_lock(&recordsLock);
  while (records) {
    ExitKey &exit = *records->exitKey;
    if (exit.made) {
      pthread_key_delete(static_cast<pthread_key_t>(exit.key));
      exit.made = false;
    }
    unlist(*records);
  }
  pthread_mutex_unlock(&recordsLock);
}

Isa hostIsa() {
  // Detected once; a race only detects twice, with the same answer.
  static int chosen = -1;
  int v = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
  if (v < 0) {
    v = static_cast<int>(detectIsa());
    __atomic_store_n(&chosen, v, __ATOMIC_RELAXED);
  }
  return static_cast<Isa>(v);
}

float *scratch(ScratchSlot slot, size_t floats) {
  Scratch &s = scratchOfThread;
  if (floats > s.size[slot]) {
    size_t bytes = floats > (SIZE_MAX - 63) / 4 ? SIZE_MAX
                                                : (floats * 4 + 63) / 64 * 64;
    if (!s.record.listed && !listThreadRecord(s.record))
      outOfMemory(bytes);
    std::free(s.data[slot]);
    s.data[slot] = bytes == SIZE_MAX ? nullptr
                                     : static_cast<float *>(
                                           std::aligned_alloc(64, bytes));
    s.size[slot] = s.data[slot] ? floats : 0;
    if (!s.data[slot])
      outOfMemory(bytes);
  }
  return s.data[slot];
}

} // namespace anvil::kernels
