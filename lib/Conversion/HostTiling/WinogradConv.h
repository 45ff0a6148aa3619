//===- WinogradConv.h - 3x3 convolutions by F(4x4, 3x3) --------*- C++ -*-===//
#ifndef ANVIL_LIB_CONVERSION_HOSTTILING_WINOGRADCONV_H
#define ANVIL_LIB_CONVERSION_HOSTTILING_WINOGRADCONV_H

#include "KernelCalls.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace anvil::host_kernels {

/// One image of `op` as the tiling policy weighs it; its filters count as
/// constant when a constant global holds them and the input's planes are
/// contiguous (what the Winograd kernels read).
std::optional<policy::ConvProblem> convProblemOf(linalg::Conv2DNchwFchwOp op);

/// `op` (3 x 3, stride 1, constant filters) by Winograd's F(4x4, 3x3):
/// the transformed filters as a new constant global, then per image the
/// input transform (reading the source of a padded input folded into it),
/// 36 products and the output transform finished by `epilogue`. The
/// caller erases `op`, the folded ops and then the padding's ops, which
/// this returns (none where no padded input was folded).
FailureOr<PaddedInput> lowerWinogradConv(linalg::Conv2DNchwFchwOp op,
                                         const Blocking &blocking,
                                         const Epilogue &epilogue);

} // namespace anvil::host_kernels

#endif // ANVIL_LIB_CONVERSION_HOSTTILING_WINOGRADCONV_H
