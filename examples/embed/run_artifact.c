/* Loads an artifact through Anvil's C API, runs it on IN, writes OUT and
 * prints the simulator's report. usage: run_artifact IN OUT */
#include "anvil-c/Runtime.h"
#include "common.h"

int main(int argc, char **argv) {
  if (argc != 3)
    return 1;
  char *error = NULL;
  AnvilModel *model = anvilModelLoad(ARTIFACT, &error);
  if (!model) {
    fprintf(stderr, "%s\n", error);
    return 1;
  }
  AnvilTensor in = anvilModelInput(model, 0), out = anvilModelOutput(model, 0);
  size_t inCount = 1, outCount = 1;
  for (int i = 0; i < in.rank; ++i)
    inCount *= in.shape[i];
  for (int i = 0; i < out.rank; ++i)
    outCount *= out.shape[i];
  in.data = readFloats(argv[1], inCount);
  out.data = malloc(outCount * sizeof(float));
  if (anvilModelRun(model, &in, 1, &out, 1, &error) != 0) {
    fprintf(stderr, "%s\n", error);
    return 1;
  }
  writeFloats(argv[2], out.data, outCount);
  char *report = anvilModelSimReport(model, ANVIL_SIM_REPORT_JSON);
  printf("device %s\n%s\n", anvilModelDevice(model), report ? report : "");
  anvilFreeError(report);
  anvilModelFree(model);
  return 0;
}
