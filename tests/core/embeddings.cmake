# Textual-inversion embeddings: files (unit: writes its own files) and the A1111 / ComfyUI
# placement and encoding against embeddings/golden_embeddings.safetensors (golden).
lienzo_add_test(test_embedding_files SOURCES core/test_embedding_files.cpp LIBS lienzo_core_textenc
                LABELS unit)
lienzo_add_test(test_embeddings SOURCES core/test_embeddings.cpp LIBS lienzo_core_pipeline
                LABELS golden)
