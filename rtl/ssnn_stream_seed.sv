// The LFSR state a sample's random stream starts from, combinational: ssnn::stream_seed(key,
// stream) (sw/include/ssnn/contract/seeding.hpp) as Lfsr's constructor loads it (a zero seed loads
// ssnn_pkg::LfsrZeroSeed). Used for the encoder's pixel and label sources and the dropout masks.
module ssnn_stream_seed (
  input  logic [63:0]                   key_i,     // the sample's key
  input  logic [63:0]                   stream_i,  // stream id (ssnn_pkg::Stream*, or a pixel index)
  output logic [ssnn_pkg::LfsrBits-1:0] seed_o
);

  // stream_seed's odd multiplier: spreads neighbouring stream ids over the key's bits.
  localparam logic [63:0] StreamMul = 64'hD1B5_4A32_D192_ED03;

  logic [63:0] hash;

  ssnn_splitmix64 u_hash (
    .x_i (key_i ^ (stream_i * StreamMul)),
    .z_o (hash)
  );

  assign seed_o = (hash[ssnn_pkg::LfsrBits-1:0] == '0) ? ssnn_pkg::LfsrZeroSeed : hash[ssnn_pkg::LfsrBits-1:0];
  logic unused_hash_high;
  assign unused_hash_high = ^hash[63:ssnn_pkg::LfsrBits];

endmodule
