# CompVis / diffusers-style samplers (core/sampling/discrete.cmake), against samplers/ fixtures.
lienzo_add_test(test_compvis_samplers SOURCES core/test_compvis_samplers.cpp core/analytic_model.cpp
                LIBS lienzo_core_sampling LABELS golden)
lienzo_add_test(test_diffusers_samplers SOURCES core/test_diffusers_samplers.cpp
                core/analytic_model.cpp LIBS lienzo_core_sampling LABELS golden)
