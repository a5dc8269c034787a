"""The verifiers environment `ccsim-contact-center` (`vf-eval ccsim-contact-center`): verifiers imports the module
named after an environment's id and takes the Taskset, Env and Harness it exports. The code is in
`ccsim.env.verifiers_env`; this top-level name exists only because verifiers looks environments up by it."""

from ccsim.env.verifiers_env import (
    ContactCenterHarness,
    ContactCenterTaskset,
    ContactCenterVerifiersEnv,
    load_environment,
)

__all__ = ["ContactCenterHarness", "ContactCenterTaskset", "ContactCenterVerifiersEnv", "load_environment"]
