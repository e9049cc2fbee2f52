// A module that exercises the mgpu* ABI on a real device, lowered with
// MLIR 22's gpu-lower-to-nvvm-pipeline (PTX JIT or cubin/fatbin):
//   - host registration of the caller's buffers;
//   - streams, events (two async chains joined), alloc, memcpy, memset, free;
//   - a launch asking for 64 KiB of dynamic shared memory (needs the opt-in);
//   - a cluster launch (sm_90).
// out[i] = 2 * x[1023 - i] + 1 (through shared memory), out2[i] = 3 * x[i].
module attributes {gpu.container_module} {
  func.func @main(%x: memref<1024xf32>, %out: memref<1024xf32>,
                  %out2: memref<1024xf32>) attributes {llvm.emit_c_interface} {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c512 = arith.constant 512 : index
    %c1024 = arith.constant 1024 : index
    %smem = arith.constant 65536 : i32
    %zero = arith.constant 0.0 : f32
    %xu = memref.cast %x : memref<1024xf32> to memref<*xf32>
    gpu.host_register %xu : memref<*xf32>

    %t0 = gpu.wait async
    %dx, %t1 = gpu.alloc async [%t0] () : memref<1024xf32>
    %t2 = gpu.memcpy async [%t1] %dx, %x : memref<1024xf32>, memref<1024xf32>
    %u0 = gpu.wait async
    %dout, %u1 = gpu.alloc async [%u0] () : memref<1024xf32>
    %u2 = gpu.memset async [%u1] %dout, %zero : memref<1024xf32>, f32
    %dout2, %u3 = gpu.alloc async [%u2] () : memref<1024xf32>
    // Joining two chains lowers to events: record on one stream, wait on it.
    %joined = gpu.wait async [%t2, %u3]
    %t3 = gpu.launch_func async [%joined] @kernels::@reverse_scale
        blocks in (%c1, %c1, %c1) threads in (%c1024, %c1, %c1)
        dynamic_shared_memory_size %smem
        args(%dx : memref<1024xf32>, %dout : memref<1024xf32>)
    %t4 = gpu.launch_func async [%t3] @kernels::@triple
        clusters in (%c2, %c1, %c1) blocks in (%c2, %c1, %c1)
        threads in (%c512, %c1, %c1)
        args(%dx : memref<1024xf32>, %dout2 : memref<1024xf32>)
    %t5 = gpu.memcpy async [%t4] %out, %dout : memref<1024xf32>, memref<1024xf32>
    %t6 = gpu.memcpy async [%t5] %out2, %dout2 : memref<1024xf32>, memref<1024xf32>
    %t7 = gpu.dealloc async [%t6] %dx : memref<1024xf32>
    %t8 = gpu.dealloc async [%t7] %dout : memref<1024xf32>
    %t9 = gpu.dealloc async [%t8] %dout2 : memref<1024xf32>
    gpu.wait [%t9]
    gpu.host_unregister %xu : memref<*xf32>
    return
  }

  gpu.module @kernels {
    gpu.func @reverse_scale(%x: memref<1024xf32>, %out: memref<1024xf32>) kernel {
      %c0 = arith.constant 0 : index
      %c1023 = arith.constant 1023 : index
      %two = arith.constant 2.0 : f32
      %one = arith.constant 1.0 : f32
      %i = gpu.thread_id x
      %raw = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
      %tile = memref.view %raw[%c0][] : memref<?xi8, #gpu.address_space<workgroup>>
          to memref<1024xf32, #gpu.address_space<workgroup>>
      %v = memref.load %x[%i] : memref<1024xf32>
      %s = arith.mulf %v, %two : f32
      memref.store %s, %tile[%i] : memref<1024xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %j = arith.subi %c1023, %i : index
      %w = memref.load %tile[%j] : memref<1024xf32, #gpu.address_space<workgroup>>
      %r = arith.addf %w, %one : f32
      memref.store %r, %out[%i] : memref<1024xf32>
      gpu.return
    }
    gpu.func @triple(%x: memref<1024xf32>, %out: memref<1024xf32>) kernel {
      %c512 = arith.constant 512 : index
      %three = arith.constant 3.0 : f32
      %b = gpu.block_id x
      %t = gpu.thread_id x
      %base = arith.muli %b, %c512 : index
      %i = arith.addi %base, %t : index
      %v = memref.load %x[%i] : memref<1024xf32>
      %r = arith.mulf %v, %three : f32
      memref.store %r, %out[%i] : memref<1024xf32>
      gpu.return
    }
  }
}
