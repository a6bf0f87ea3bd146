// Parameter checks of the RTL units, one wording for all: inside a unit's `initial begin :
// p_param_check` (simulation only, `ifndef SYNTHESIS), a parameter out of its legal range stops the
// elaboration with "<instance path>: <Name>=<value> must be in <lo>..<hi>" (or ">= <lo>").
// Included by the units that check their parameters; the tools read it with -I<rtl> (yosys finds it
// beside the unit).
`ifndef SSNN_ASSERT_SVH
`define SSNN_ASSERT_SVH

// Lo <= Name <= Hi.
`define SSNN_PARAM_RANGE(Name, Lo, Hi) \
  assert ((Name) >= (Lo) && (Name) <= (Hi)) \
    else $fatal(1, "%m: %s=%0d must be in %0d..%0d", `"Name`", (Name), (Lo), (Hi));

// Name >= Lo.
`define SSNN_PARAM_MIN(Name, Lo) \
  assert ((Name) >= (Lo)) else $fatal(1, "%m: %s=%0d must be >= %0d", `"Name`", (Name), (Lo));

`endif  // SSNN_ASSERT_SVH
