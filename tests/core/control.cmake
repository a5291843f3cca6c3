# ControlNet (core/control, core/pipeline/control_stage): the goldens of
# ../shared/fixtures/controlnet/ (preprocessors; ControlNet residuals and controlled U-Net in the
# three key layouts; txt2img with control, every variant) and unit tests (scales, windows, key
# maps, a synthetic SDXL ControlNet, refusals, infotext).
lienzo_add_test(test_control_preprocess SOURCES core/test_control_preprocess.cpp
                LIBS lienzo_core_control LABELS golden)
lienzo_add_test(test_controlnet SOURCES core/test_controlnet.cpp LIBS lienzo_core_pipeline
                LABELS golden)
lienzo_add_test(test_control SOURCES core/test_control.cpp LIBS lienzo_core_pipeline LABELS unit)
