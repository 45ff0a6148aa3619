/*===- anvil-c/Runtime.h - Anvil runtime C API --------------------*- C -*-===*\
|*                                                                            *|
|* Load a compiled Anvil artifact, query its inputs and outputs, and run it.  *|
|* Every call that can fail returns non-zero (or NULL) and, when `error` is   *|
|* not NULL, stores a message the caller frees with anvilFreeError.           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef ANVIL_C_RUNTIME_H
#define ANVIL_C_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The artifact format this runtime reads. */
#define ANVIL_ARTIFACT_FORMAT_VERSION 4

typedef enum AnvilDType {
  ANVIL_DTYPE_INVALID = 0,
  ANVIL_DTYPE_FLOAT32,
  ANVIL_DTYPE_FLOAT64,
  ANVIL_DTYPE_FLOAT16,
  ANVIL_DTYPE_INT8,
  ANVIL_DTYPE_INT16,
  ANVIL_DTYPE_INT32,
  ANVIL_DTYPE_INT64,
  ANVIL_DTYPE_BOOL,
  ANVIL_DTYPE_UINT8,
  ANVIL_DTYPE_UINT16,
  ANVIL_DTYPE_UINT32,
  ANVIL_DTYPE_UINT64
} AnvilDType;

/* A dense row-major tensor. `name` may be NULL (matched by position). */
typedef struct AnvilTensor {
  const char *name;
  AnvilDType dtype;
  int32_t rank;
  const int64_t *shape;
  void *data;
} AnvilTensor;

typedef struct AnvilModel AnvilModel;

/* Threads. One model may be run from several threads at once
 * (anvilModelRun): a host artifact's runs share only its read-only
 * constants, and each run of an accelerator artifact simulates on a machine
 * of its own, the last to finish becoming the one anvilModelSimReport
 * reads. The queries (anvilModelNumInputs .. anvilModelDevice,
 * anvilModelSimReport) may run beside them. anvilModelSetSimTrace applies to
 * runs that start after it. anvilModelFree must not run while any run of
 * the same artifact file is in progress: it frees the buffers that every
 * thread's runs keep for reuse (as a thread's own are freed when it
 * exits), then unloads the artifact. anvilSetNumThreads is process-wide. */

/* Loads an artifact; NULL on failure (unreadable, not an artifact, or of
 * another format version). */
AnvilModel *anvilModelLoad(const char *path, char **error);
void anvilModelFree(AnvilModel *model);

int32_t anvilModelNumInputs(const AnvilModel *model);
int32_t anvilModelNumOutputs(const AnvilModel *model);
/* Name, dtype, rank and shape of an input or output; `data` is NULL. The
 * strings and shapes live as long as the model. An index out of range gives
 * a tensor of dtype ANVIL_DTYPE_INVALID with NULL name and shape. */
AnvilTensor anvilModelInput(const AnvilModel *model, int32_t index);
AnvilTensor anvilModelOutput(const AnvilModel *model, int32_t index);
/* The artifact's metadata JSON (format version, compiler, target, I/O,
 * the CPU features its code uses; docs/schemas/artifact-metadata.schema.json).
 */
const char *anvilModelMetadata(const AnvilModel *model);
/* The metadata of the artifact at `path` without loading it as a model: it
 * is read even where the artifact cannot run here (another CPU, another
 * format version). NULL on failure; the caller frees the string with
 * anvilFreeError. */
char *anvilArtifactMetadata(const char *path, char **error);

/* Size in bytes of one element of `dtype`. */
size_t anvilDTypeSize(AnvilDType dtype);
const char *anvilDTypeName(AnvilDType dtype);

/* Worker threads used by anvilModelRun (0: one per core). */
void anvilSetNumThreads(int32_t threads);

/* Checks every input and output against the model (count, name when given,
 * dtype, shape) and runs it. Output buffers are the caller's. Returns 0, or
 * non-zero with a message in *error (when `error` is not NULL; it is set to
 * NULL first) that the caller frees with anvilFreeError. A run that cannot
 * allocate a buffer stops, frees what it took and fails ("out of memory");
 * the model may be run again. (An allocation that fails inside a parallel
 * loop of a host artifact cannot be unwound: the process aborts with a
 * message.) */
int anvilModelRun(AnvilModel *model, const AnvilTensor *inputs,
                  int32_t numInputs, AnvilTensor *outputs, int32_t numOutputs,
                  char **error);

void anvilFreeError(char *error);

/* Where the model runs: "host" (native code) or "sim" (an artifact for an
 * accelerator target, run on the simulator of the machine it was compiled
 * for). */
const char *anvilModelDevice(const AnvilModel *model);

/* Record a trace of every simulated operation in later runs. */
void anvilModelSetSimTrace(AnvilModel *model, int32_t enabled);

typedef enum AnvilSimReportFormat {
  ANVIL_SIM_REPORT_TEXT = 0,
  ANVIL_SIM_REPORT_JSON = 1,
  /* A Chrome trace (Perfetto, chrome://tracing); needs the trace enabled. */
  ANVIL_SIM_REPORT_TRACE = 2
} AnvilSimReportFormat;

/* What the last simulated run measured: cycles, time, unit utilization,
 * bytes per memory level, roofline. NULL if the model has not run on the
 * simulator. The caller frees the string with anvilFreeError. */
char *anvilModelSimReport(const AnvilModel *model, int32_t format);

#ifdef __cplusplus
}
#endif

#endif /* ANVIL_C_RUNTIME_H */
