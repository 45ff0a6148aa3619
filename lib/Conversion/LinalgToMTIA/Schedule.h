//===- Schedule.h - Carrying out schedules and control placement -*- C++ -*-=//
//
// What the MTIA lowering knows of the scheduling and control-flow
// decisions (anvil/Policy/Schedule.h): the segments of launches that may
// share a job, the dependences between their kernels, and what
// anvil-mtia-to-calls carries out: programs of kernels in waves over
// disjoint PEs, launched once, driven by the host's control flow.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_SCHEDULE_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_SCHEDULE_H

#include "anvil/Dialect/MTIA/IR/MTIAOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>
#include <optional>
#include <string>

namespace anvil::mtia {

/// The launches of `graph` that may run as one job, each run in program
/// order: launches of one block with nothing between them but allocations,
/// views and other ops free of memory effects (which a program's job moves
/// before it), deallocations and the loads a loop on the device starts
/// from (which it moves after).
llvm::SmallVector<llvm::SmallVector<LaunchOp>>
segmentsOf(mlir::func::FuncOp graph);

/// The elements [first, last) a memref of `type` covers in the buffer its
/// layout counts from, where its offset, sizes and strides are static.
std::optional<std::pair<int64_t, int64_t>> elementsOf(mlir::Type type);

/// Ops that will form kernels: linalg ops on buffers (outside kernels)
/// and copies.
bool formsKernel(mlir::Operation *op);

/// The same of the ops `isKernel` picks: before kernels are formed, the
/// linalg ops and copies that will form them.
llvm::SmallVector<llvm::SmallVector<mlir::Operation *>>
runsOf(mlir::func::FuncOp graph,
       llvm::function_ref<bool(mlir::Operation *)> isKernel);

/// For each launch of `segment`, the earlier launches it must follow: it
/// reads what they write, or writes what they use. What a kernel uses is
/// the part of a buffer (what its views view) that the view it captures
/// spans, where that view's layout is static, else the whole buffer; two
/// intermediates the SRAM plan places overlap if their bytes do.
llvm::SmallVector<llvm::SmallVector<int64_t, 4>>
dependencesOf(llvm::ArrayRef<LaunchOp> segment);
/// The same of ops that will form kernels, through their operands.
llvm::SmallVector<llvm::SmallVector<int64_t, 4>>
dependencesOf(llvm::ArrayRef<mlir::Operation *> segment);

/// The programs of `graph` in the order they run, each its launches in
/// program order (a launch without a schedule is a program of its own).
llvm::SmallVector<llvm::SmallVector<LaunchOp>>
programsOf(mlir::func::FuncOp graph);

/// The ops of `graph` with regions, other than launches, that contain a
/// launch: the loops and branches the host or the device drives.
llvm::SmallVector<mlir::Operation *>
controlWithLaunches(mlir::func::FuncOp graph);

/// Succeeds when every decision recorded in `graph` is one the lowering
/// carries out on a machine of `numPEs` PEs whose kernels' staging may take
/// `sramBytes`; otherwise an error on the kernel or loop whose decision it
/// cannot.
mlir::LogicalResult checkSchedule(mlir::func::FuncOp graph, int64_t numPEs,
                                  int64_t sramBytes);

/// The wave and PEs (first, count) of a scheduled launch; wave 0 and PEs
/// from 0 for one without a schedule.
int64_t waveOf(LaunchOp launch);
std::pair<int64_t, int64_t> pesOf(LaunchOp launch);

/// The launches of `program` by wave, in the order the waves run, each
/// wave's in program order.
std::map<int64_t, llvm::SmallVector<LaunchOp>>
wavesOf(llvm::ArrayRef<LaunchOp> program);

/// Moves what lies between the launches of `program` (one segment's run)
/// out of its way: allocations and views before its first launch,
/// deallocations and the loads a loop on the device starts from after its
/// last.
void gatherProgram(llvm::ArrayRef<LaunchOp> program);

/// Replaces the launches of `program` by one launch named `name`: each PE
/// runs, wave after wave, the kernels whose PEs it is among (with its index
/// among them as theirs). `startWave` opens each wave (index, its
/// launches), where a PE enters it: it separates the waves.
LaunchOp
mergeProgram(llvm::ArrayRef<LaunchOp> program, llvm::StringRef name,
             llvm::function_ref<void(mlir::OpBuilder &, mlir::Location, int64_t,
                                     llvm::ArrayRef<LaunchOp>)>
                 startWave);

/// The model nodes a location names, in order, each once: the importers
/// give every op the NameLoc of its node (fused where ops were merged).
std::string modelNodes(mlir::Location loc);

/// The launch just before or after `op` in its block with nothing between
/// them but what a job moves out of its way (gatherProgram), or null.
LaunchOp launchBeside(mlir::Operation *op, bool before);

/// Whether `op` is a load whose value only starts while loops on the
/// device: the loop's job makes it (every PE reads the value).
bool readsForDeviceLoop(mlir::Operation *op);

/// Whether the control-flow placement put `control` on the device.
bool isOnDevice(mlir::Operation *control);

/// Why the lowering cannot run `control` (a loop or branch that launches
/// kernels) on the device, or none where it can (docs/Grinder.md).
std::optional<std::string> deviceBlocker(mlir::Operation *control);

/// Makes each counted loop of `graph` placed on the device one job that
/// runs the loop on every PE (after the programs of its body are merged):
/// its body's kernels each iteration, a barrier closing it, carried
/// buffers alternating between two fixed ones. A loop the scheduler joins
/// with the programs beside it (anvil.schedule.joins) shares their job,
/// which takes the machine's `numPEs`.
void foldDeviceLoops(mlir::ModuleOp module, mlir::func::FuncOp graph,
                     int64_t numPEs);

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_SCHEDULE_H
