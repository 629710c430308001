// The caching host allocator: reuse, limits, uninstalling, and unchanged results through oneDNN.
#include "methods/common/host_allocator.h"

#include <catch2/catch.hpp>
#include <torch/nn.h>

using namespace kdad::methods;

namespace {

constexpr std::int64_t kLargeFloats = std::int64_t{4} << 20;  // 16 MiB of floats

// A convolution forward and backward through oneDNN (which allocates via raw_allocate).
std::vector<torch::Tensor> conv_forward_backward() {
  torch::manual_seed(3);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(64, 64, 3).padding(1));
  const torch::Tensor x = torch::randn({2, 64, 48, 48}, torch::requires_grad());
  const torch::Tensor y = conv(x);
  y.square().sum().backward();
  return {y.detach().clone(), x.grad().clone(), conv->weight.grad().clone()};
}

}  // namespace

TEST_CASE("the caching host allocator reuses freed large blocks and leaves small ones to LibTorch", "[methods][allocator]") {
  install_caching_host_allocator();
  release_cached_host_memory();
  const HostCacheStats before = host_cache_stats();

  void* first = nullptr;
  {
    torch::Tensor large = torch::empty({kLargeFloats});
    first = large.data_ptr();
    CHECK(host_cache_stats().bytes_in_use == before.bytes_in_use + 16 * (std::size_t{1} << 20));
  }
  CHECK(host_cache_stats().bytes_in_use == before.bytes_in_use);
  CHECK(host_cache_stats().bytes_cached >= 16 * (std::size_t{1} << 20));
  {
    torch::Tensor again = torch::empty({kLargeFloats});
    CHECK(again.data_ptr() == first);
    CHECK(host_cache_stats().hits == before.hits + 1);
  }
  const HostCacheStats with_small = host_cache_stats();
  { torch::Tensor small = torch::ones({256}); }
  CHECK(host_cache_stats().hits == with_small.hits);
  CHECK(host_cache_stats().misses == with_small.misses);

  CHECK(release_cached_host_memory() >= 16 * (std::size_t{1} << 20));
  CHECK(host_cache_stats().bytes_cached == 0);
}

TEST_CASE("a reused block is initialised by the operation that asks for it", "[methods][allocator]") {
  install_caching_host_allocator();
  release_cached_host_memory();
  void* dirty_block = nullptr;
  {
    torch::Tensor dirty = torch::full({kLargeFloats}, 7.0F);
    dirty_block = dirty.data_ptr();
  }
  const HostCacheStats before = host_cache_stats();
  const torch::Tensor zeros = torch::zeros({kLargeFloats});
  // The block that held the 7s is the one handed out again, so the zeros below prove that it was
  // initialised, not that fresh pages happened to be zero.
  REQUIRE(zeros.data_ptr() == dirty_block);
  CHECK(host_cache_stats().hits == before.hits + 1);
  CHECK(zeros.abs().max().item<float>() == 0.0F);
  const torch::Tensor ones = torch::ones({kLargeFloats});
  CHECK(ones.sum().item<double>() == static_cast<double>(kLargeFloats));
}

TEST_CASE("free blocks beyond the cache limit are unmapped, and uninstalling stops caching", "[methods][allocator]") {
  install_caching_host_allocator(std::size_t{32} << 20);
  release_cached_host_memory();
  {
    std::vector<torch::Tensor> blocks;
    for (int i = 0; i < 4; ++i) blocks.push_back(torch::empty({kLargeFloats}));
  }
  CHECK(host_cache_stats().bytes_cached <= std::size_t{32} << 20);
  CHECK(host_cache_stats().bytes_cached > 0);

  uninstall_caching_host_allocator();
  CHECK_FALSE(caching_host_allocator_installed());
  CHECK(host_cache_stats().bytes_cached == 0);
  const HostCacheStats after = host_cache_stats();
  { torch::Tensor plain = torch::empty({kLargeFloats}); }
  CHECK(host_cache_stats().hits == after.hits);
  CHECK(host_cache_stats().misses == after.misses);
  CHECK(host_cache_stats().bytes_cached == 0);
}

TEST_CASE("oneDNN convolutions give identical values with the caching host allocator", "[methods][allocator]") {
  torch::set_num_threads(2);
  uninstall_caching_host_allocator();
  const std::vector<torch::Tensor> reference = conv_forward_backward();
  install_caching_host_allocator();
  for (int round = 0; round < 2; ++round) {  // the second round runs on reused blocks
    const std::vector<torch::Tensor> cached = conv_forward_backward();
    for (std::size_t i = 0; i < reference.size(); ++i) CHECK(torch::equal(cached[i], reference[i]));
  }
  CHECK(host_cache_stats().hits > 0);
}
