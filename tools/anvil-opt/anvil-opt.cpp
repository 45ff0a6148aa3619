//===- anvil-opt.cpp - mlir-opt with every Anvil dialect and pass ---------===//
#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Dialect/NN/IR/NNDialect.h"
#include "anvil/Target/Host/Pipeline.h"
#include "anvil/Target/MTIA/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  anvil::registerAnvilConversionPasses();
  anvil::host::registerHostPipelines();
  anvil::mtia::registerMTIAPipelines();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<anvil::nn::NNDialect, anvil::mtia::MTIADialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Anvil optimizer driver\n", registry));
}
