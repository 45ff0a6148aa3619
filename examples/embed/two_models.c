/* Two models compiled with --entry-prefix, linked into one program.
 * usage: two_models MLP_IN MLP_OUT CNN_IN CNN_OUT */
#include "cnn.h"
#include "common.h"
#include "mlp.h"

int main(int argc, char **argv) {
  if (argc != 5)
    return 1;
  float *mlpIn = readFloats(argv[1], MLP_INPUT_0_ELEMENTS);
  float *cnnIn = readFloats(argv[3], CNN_INPUT_0_ELEMENTS);
  float *mlpOut = malloc(MLP_OUTPUT_0_ELEMENTS * sizeof(float));
  float *cnnOut = malloc(CNN_OUTPUT_0_ELEMENTS * sizeof(float));
  void *mlpBuffers[] = {mlpIn, mlpOut};
  void *cnnBuffers[] = {cnnIn, cnnOut};
  if (mlp_run(mlpBuffers) != 0 || cnn_run(cnnBuffers) != 0) {
    fprintf(stderr, "a run failed\n");
    return 1;
  }
  writeFloats(argv[2], mlpOut, MLP_OUTPUT_0_ELEMENTS);
  writeFloats(argv[4], cnnOut, CNN_OUTPUT_0_ELEMENTS);
  printf("%.40s...\n", mlp_metadata);
  mlp_release();
  cnn_release();
  return 0;
}
