// RUN: anvil-opt %s --anvil-wavefront-order=scheduler=rammer | FileCheck %s --check-prefix=WAVES
// RUN: anvil-opt %s --anvil-wavefront-order=scheduler=rammer-serial | FileCheck %s --check-prefix=KEEP

// A chain of states (h) and a chain of cells (c) that reads them, written
// chain by chain: in wavefront order each cell comes with the state of its
// level. %m's only user is the last cell, so it moves with it rather than
// with the other ops of its own level.
// WAVES-LABEL: func.func @cells
// WAVES-NEXT: %[[H1:.*]] = nn.tanh %arg0
// WAVES-NEXT: %[[H2:.*]] = nn.tanh %[[H1]]
// WAVES-NEXT: %[[C1:.*]] = nn.sigmoid %[[H1]]
// WAVES-NEXT: %[[H3:.*]] = nn.tanh %[[H2]]
// WAVES-NEXT: %[[C2:.*]] = nn.add %[[C1]], %[[H2]]
// WAVES-NEXT: %[[M:.*]] = nn.neg %[[H1]]
// WAVES-NEXT: %[[C3:.*]] = nn.add %[[M]], %[[C2]]
// WAVES-NEXT: return
// Other schedulers keep the model's order.
// KEEP-LABEL: func.func @cells
// KEEP-NEXT: nn.tanh %arg0
// KEEP-NEXT: nn.neg
// KEEP-NEXT: nn.tanh
// KEEP-NEXT: nn.tanh
// KEEP-NEXT: nn.sigmoid
func.func @cells(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %h1 = nn.tanh %x : tensor<4x8xf32>
  %m = nn.neg %h1 : tensor<4x8xf32>
  %h2 = nn.tanh %h1 : tensor<4x8xf32>
  %h3 = nn.tanh %h2 : tensor<4x8xf32>
  %c1 = nn.sigmoid %h1 : tensor<4x8xf32>
  %c2 = nn.add %c1, %h2 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %c3 = nn.add %m, %c2 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %h3, %c1, %c2, %c3 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}
