<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
    <context>
        <name>GalleryStore</name>
        <message>
            <source>Could not move %1 to the trash: %2</source>
            <translation>No se pudo mover %1 a la papelera: %2</translation>
        </message>
        <message>
            <source>Could not delete %1: %2</source>
            <translation>No se pudo eliminar %1: %2</translation>
        </message>
        <message>
            <source>Cannot create the gallery folder %1.</source>
            <translation>No se puede crear la carpeta de la galería %1.</translation>
        </message>
        <message>
            <source>Cannot write the edit's source picture.</source>
            <translation>No se puede escribir la imagen de origen de la edición.</translation>
        </message>
        <message>
            <source>Cannot write the edit's mask.</source>
            <translation>No se puede escribir la máscara de la edición.</translation>
        </message>
        <message>
            <source>Another Lienzo has held the gallery folder %1 for 30 seconds; the picture was not saved.</source>
            <translation>Otro Lienzo ha tenido bloqueada la carpeta de la galería %1 durante 30 segundos; la imagen no se guardó.</translation>
        </message>
        <message>
            <source>Cannot write in the gallery folder %1: %2</source>
            <translation>No se puede escribir en la carpeta de la galería %1: %2</translation>
        </message>
        <message>
            <source>permission denied or no space</source>
            <translation>sin permiso o sin espacio</translation>
        </message>
        <message>
            <source>Cannot write the picture of ControlNet %1.</source>
            <translation>No se puede escribir la imagen del ControlNet %1.</translation>
        </message>
    </context>
    <context>
        <name>ModelCatalog</name>
        <message>
            <source>Built-in model (not installed)</source>
            <translation>Modelo integrado (no instalado)</translation>
        </message>
        <message>
            <source>Built-in model</source>
            <translation>Modelo integrado</translation>
        </message>
        <message>
            <source>Built-in</source>
            <translation>Integrado</translation>
        </message>
        <message>
            <source>Other</source>
            <translation>Otros</translation>
        </message>
    </context>
    <context>
        <name>PngMetadata</name>
        <message>
            <source>Could not encode the image as PNG.</source>
            <translation>No se pudo codificar la imagen como PNG.</translation>
        </message>
        <message>
            <source>Could not add the metadata to the PNG: %1</source>
            <translation>No se pudieron añadir los metadatos al PNG: %1</translation>
        </message>
        <message>
            <source>Cannot write %1: %2</source>
            <translation>No se puede escribir %1: %2</translation>
        </message>
        <message>
            <source>Cannot open %1: %2</source>
            <translation>No se puede abrir %1: %2</translation>
        </message>
        <message>
            <source>%1 is not a readable PNG: %2</source>
            <translation>%1 no es un PNG legible: %2</translation>
        </message>
        <message>
            <source>The metadata in %1 could not be read: %2</source>
            <translation>No se pudieron leer los metadatos de %1: %2</translation>
        </message>
    </context>
    <context>
        <name>QueueJournal</name>
        <message>
            <source>unknown journal version %1</source>
            <translation>versión de diario desconocida %1</translation>
        </message>
        <message>
            <source>it has no parameters</source>
            <translation>no tiene parámetros</translation>
        </message>
        <message>
            <source>its ControlNet picture %1 cannot be read</source>
            <translation>no se puede leer su imagen de ControlNet %1</translation>
        </message>
        <message>
            <source>its picture cannot be read</source>
            <translation>no se puede leer su imagen</translation>
        </message>
        <message>
            <source>its mask cannot be read</source>
            <translation>no se puede leer su máscara</translation>
        </message>
        <message>
            <source>Cannot keep the job in %1: %2</source>
            <translation>No se puede guardar el trabajo en %1: %2</translation>
        </message>
        <message>
            <source>the folder cannot be created</source>
            <translation>no se puede crear la carpeta</translation>
        </message>
        <message>
            <source>the job folder cannot be renamed</source>
            <translation>no se puede renombrar la carpeta del trabajo</translation>
        </message>
        <message>
            <source>its job.json cannot be read</source>
            <translation>no se puede leer su job.json</translation>
        </message>
    </context>
    <context>
        <name>Studio</name>
        <message>
            <source>Save a screenshot of the main window to &lt;file&gt; and exit.</source>
            <translation>Guarda una captura de la ventana principal en &lt;file&gt; y sale.</translation>
        </message>
        <message>
            <source>Interface language (en, es).</source>
            <translation>Idioma de la interfaz (en, es).</translation>
        </message>
        <message>
            <source>Gallery folder for this run.</source>
            <translation>Carpeta de la galería para esta ejecución.</translation>
        </message>
        <message>
            <source>Images to open (their parameters are restored).</source>
            <translation>Imágenes que abrir (se restauran sus parámetros).</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::CompareView</name>
        <message>
            <source>Select two images in the gallery and choose Compare.</source>
            <translation>Selecciona dos imágenes en la galería y elige Comparar.</translation>
        </message>
        <message>
            <source>Wipe: left of the line is A, right of it is B</source>
            <translation>Cortinilla: a la izquierda de la línea está A, a la derecha B</translation>
        </message>
        <message>
            <source>Side by side</source>
            <translation>Lado a lado</translation>
        </message>
        <message>
            <source>Wipe</source>
            <translation>Cortinilla</translation>
        </message>
        <message>
            <source>Zoom to fit</source>
            <translation>Ajustar a la ventana</translation>
        </message>
        <message>
            <source>Actual size (1:1)</source>
            <translation>Tamaño real (1:1)</translation>
        </message>
        <message>
            <source>Parameter</source>
            <translation>Parámetro</translation>
        </message>
        <message>
            <source>A</source>
            <translation>A</translation>
        </message>
        <message>
            <source>B</source>
            <translation>B</translation>
        </message>
        <message>
            <source>A: %1</source>
            <translation>A: %1</translation>
        </message>
        <message>
            <source>B: %1</source>
            <translation>B: %1</translation>
        </message>
        <message>
            <source>Prompt</source>
            <translation>Prompt</translation>
        </message>
        <message>
            <source>Negative prompt</source>
            <translation>Prompt negativo</translation>
        </message>
        <message>
            <source>Only differences</source>
            <translation>Solo diferencias</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::ControlPanel</name>
        <message>
            <source>Show or hide the ControlNet slots: a sketch, edge map or tile that steers the composition</source>
            <translation>Muestra u oculta las ranuras de ControlNet: un boceto, un mapa de bordes o un mosaico que guía la composición</translation>
        </message>
        <message>
            <source>Add ControlNet</source>
            <translation>Añadir ControlNet</translation>
        </message>
        <message>
            <source>Add a ControlNet slot (several are summed)</source>
            <translation>Añade una ranura de ControlNet (varias se suman)</translation>
        </message>
        <message>
            <source>ControlNet</source>
            <translation>ControlNet</translation>
        </message>
        <message>
            <source>ControlNet (%1)</source>
            <translation>ControlNet (%1)</translation>
        </message>
        <message>
            <source>ControlNet %1</source>
            <translation>ControlNet %1</translation>
        </message>
        <message>
            <source>%1 has no model: choose one of your library's ControlNets.</source>
            <translation>%1 no tiene modelo: elige uno de los ControlNet de tu biblioteca.</translation>
        </message>
        <message>
            <source>%1: there is no ControlNet “%2” in your model library (nor a file of that name). Add its folder in Settings ▸ Library, or choose another.</source>
            <translation>%1: no hay ningún ControlNet «%2» en tu biblioteca de modelos (ni un archivo con ese nombre). Añade su carpeta en Ajustes ▸ Biblioteca o elige otro.</translation>
        </message>
        <message>
            <source>%1 has no picture: drop one on it, or take the gallery's or the canvas's.</source>
            <translation>%1 no tiene imagen: suelta una encima o toma la de la galería o la del lienzo.</translation>
        </message>
        <message>
            <source>ControlNet %1: the model “%2” is not in your model library.</source>
            <translation>ControlNet %1: el modelo «%2» no está en tu biblioteca de modelos.</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::ControlSlot</name>
        <message>
            <source>None (picture as it is)</source>
            <translation>Ninguno (la imagen tal cual)</translation>
        </message>
        <message>
            <source>Canny edges</source>
            <translation>Bordes Canny</translation>
        </message>
        <message>
            <source>Scribble (dark strokes)</source>
            <translation>Garabato (trazos oscuros)</translation>
        </message>
        <message>
            <source>Threshold</source>
            <translation>Umbral</translation>
        </message>
        <message>
            <source>Invert</source>
            <translation>Invertir</translation>
        </message>
        <message>
            <source>Tile resample</source>
            <translation>Remuestreo de mosaico</translation>
        </message>
        <message>
            <source>Inpaint (masked = −1)</source>
            <translation>Inpaint (enmascarado = −1)</translation>
        </message>
        <message>
            <source>Use this ControlNet</source>
            <translation>Usar este ControlNet</translation>
        </message>
        <message>
            <source>Use this ControlNet when generating</source>
            <translation>Usa este ControlNet al generar</translation>
        </message>
        <message>
            <source>Remove ControlNet</source>
            <translation>Quitar ControlNet</translation>
        </message>
        <message>
            <source>Remove this ControlNet slot</source>
            <translation>Quita esta ranura de ControlNet</translation>
        </message>
        <message>
            <source>Control picture</source>
            <translation>Imagen de control</translation>
        </message>
        <message>
            <source>The picture the ControlNet follows: drop a file here, take the selected gallery picture or the canvas. Without one, the edit page's picture is used.</source>
            <translation>La imagen que sigue el ControlNet: suelta aquí un archivo, toma la imagen seleccionada en la galería o la del lienzo. Sin ninguna, se usa la imagen de la página de edición.</translation>
        </message>
        <message>
            <source>Preprocessed preview</source>
            <translation>Vista previa preprocesada</translation>
        </message>
        <message>
            <source>What the ControlNet sees: the picture after the preprocessor, at the generation size</source>
            <translation>Lo que ve el ControlNet: la imagen tras el preprocesador, al tamaño de la generación</translation>
        </message>
        <message>
            <source>No preview</source>
            <translation>Sin vista previa</translation>
        </message>
        <message>
            <source>Gallery</source>
            <translation>Galería</translation>
        </message>
        <message>
            <source>From gallery</source>
            <translation>De la galería</translation>
        </message>
        <message>
            <source>Use the picture selected in the gallery</source>
            <translation>Usa la imagen seleccionada en la galería</translation>
        </message>
        <message>
            <source>Canvas</source>
            <translation>Lienzo</translation>
        </message>
        <message>
            <source>Use canvas</source>
            <translation>Usar el lienzo</translation>
        </message>
        <message>
            <source>Use the picture on the canvas</source>
            <translation>Usa la imagen del lienzo</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>Borrar</translation>
        </message>
        <message>
            <source>Clear picture</source>
            <translation>Borrar la imagen</translation>
        </message>
        <message>
            <source>Forget this slot's picture</source>
            <translation>Olvida la imagen de esta ranura</translation>
        </message>
        <message>
            <source>Select a picture in the gallery first.</source>
            <translation>Selecciona primero una imagen en la galería.</translation>
        </message>
        <message>
            <source>There is no picture on the canvas yet.</source>
            <translation>Todavía no hay ninguna imagen en el lienzo.</translation>
        </message>
        <message>
            <source>Preprocessor</source>
            <translation>Preprocesador</translation>
        </message>
        <message>
            <source>How the picture is turned into what the ControlNet expects</source>
            <translation>Cómo se convierte la imagen en lo que espera el ControlNet</translation>
        </message>
        <message>
            <source>Canny low threshold</source>
            <translation>Umbral bajo de Canny</translation>
        </message>
        <message>
            <source>Edges weaker than this are dropped</source>
            <translation>Los bordes más débiles que esto se descartan</translation>
        </message>
        <message>
            <source>Canny high threshold</source>
            <translation>Umbral alto de Canny</translation>
        </message>
        <message>
            <source>Edges stronger than this are always kept</source>
            <translation>Los bordes más fuertes que esto se conservan siempre</translation>
        </message>
        <message>
            <source>Low / high</source>
            <translation>Bajo / alto</translation>
        </message>
        <message>
            <source>Grey level that separates strokes from paper</source>
            <translation>Nivel de gris que separa los trazos del papel</translation>
        </message>
        <message>
            <source>Down sampling rate</source>
            <translation>Factor de reducción</translation>
        </message>
        <message>
            <source>How much the tile picture is shrunk (1 = unchanged)</source>
            <translation>Cuánto se reduce la imagen del mosaico (1 = sin cambios)</translation>
        </message>
        <message>
            <source>Down sample</source>
            <translation>Reducción</translation>
        </message>
        <message>
            <source>ControlNet model</source>
            <translation>Modelo ControlNet</translation>
        </message>
        <message>
            <source>A ControlNet of your model library (Settings ▸ Library), or a file path</source>
            <translation>Un ControlNet de tu biblioteca de modelos (Ajustes ▸ Biblioteca) o la ruta de un archivo</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modelo</translation>
        </message>
        <message>
            <source>Control weight</source>
            <translation>Peso del control</translation>
        </message>
        <message>
            <source>How strongly the ControlNet steers (1 = as trained)</source>
            <translation>Con cuánta fuerza guía el ControlNet (1 = como se entrenó)</translation>
        </message>
        <message>
            <source>Guidance start</source>
            <translation>Inicio de la guía</translation>
        </message>
        <message>
            <source>Fraction of the steps after which the ControlNet starts</source>
            <translation>Fracción de los pasos tras la cual empieza el ControlNet</translation>
        </message>
        <message>
            <source>Guidance end</source>
            <translation>Fin de la guía</translation>
        </message>
        <message>
            <source>Fraction of the steps after which the ControlNet stops</source>
            <translation>Fracción de los pasos tras la cual se detiene el ControlNet</translation>
        </message>
        <message>
            <source>Weight</source>
            <translation>Peso</translation>
        </message>
        <message>
            <source>Start / end</source>
            <translation>Inicio / fin</translation>
        </message>
        <message>
            <source>Control mode</source>
            <translation>Modo de control</translation>
        </message>
        <message>
            <source>How the ControlNet weighs against the prompt</source>
            <translation>Cuánto pesa el ControlNet frente al prompt</translation>
        </message>
        <message>
            <source>Balanced</source>
            <translation>Equilibrado</translation>
        </message>
        <message>
            <source>My prompt is more important</source>
            <translation>Mi prompt es más importante</translation>
        </message>
        <message>
            <source>ControlNet is more important</source>
            <translation>El ControlNet es más importante</translation>
        </message>
        <message>
            <source>Mode</source>
            <translation>Modo</translation>
        </message>
        <message>
            <source>Resize mode</source>
            <translation>Modo de redimensionado</translation>
        </message>
        <message>
            <source>How the picture is fitted to the generation size</source>
            <translation>Cómo se ajusta la imagen al tamaño de la generación</translation>
        </message>
        <message>
            <source>Just resize</source>
            <translation>Solo redimensionar</translation>
        </message>
        <message>
            <source>Crop and resize</source>
            <translation>Recortar y redimensionar</translation>
        </message>
        <message>
            <source>Resize and fill</source>
            <translation>Redimensionar y rellenar</translation>
        </message>
        <message>
            <source>Resize</source>
            <translation>Ajuste</translation>
        </message>
        <message>
            <source>ControlNet %1</source>
            <translation>ControlNet %1</translation>
        </message>
        <message>
            <source>ControlNet preprocessor “%1” is unknown; “none” is used.</source>
            <translation>El preprocesador de ControlNet «%1» es desconocido; se usa «ninguno».</translation>
        </message>
        <message>
            <source>Drop a picture</source>
            <translation>Suelta una imagen</translation>
        </message>
        <message>
            <source>Cannot read %1 as a picture: %2</source>
            <translation>No se puede leer %1 como imagen: %2</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::EditPanel</name>
        <message>
            <source>Mask brush</source>
            <translation>Pincel de máscara</translation>
        </message>
        <message>
            <source>Brush</source>
            <translation>Pincel</translation>
        </message>
        <message>
            <source>Paint the area to redraw (B)</source>
            <translation>Pinta la zona que se redibuja (B)</translation>
        </message>
        <message>
            <source>Eraser</source>
            <translation>Borrador</translation>
        </message>
        <message>
            <source>Erase from the mask (E; X swaps)</source>
            <translation>Borra de la máscara (E; X alterna)</translation>
        </message>
        <message>
            <source>Extend</source>
            <translation>Ampliar</translation>
        </message>
        <message>
            <source>Drag the canvas edges outwards to outpaint (multiples of 8 px)</source>
            <translation>Arrastra los bordes del lienzo hacia fuera para ampliar la imagen (múltiplos de 8 px)</translation>
        </message>
        <message>
            <source> px</source>
            <translation> px</translation>
        </message>
        <message>
            <source>Brush size</source>
            <translation>Tamaño del pincel</translation>
        </message>
        <message>
            <source>Brush radius in picture pixels ([ smaller, ] larger)</source>
            <translation>Radio del pincel en píxeles de la imagen ([ menor, ] mayor)</translation>
        </message>
        <message>
            <source> %</source>
            <translation> %</translation>
        </message>
        <message>
            <source>Brush hardness</source>
            <translation>Dureza del pincel</translation>
        </message>
        <message>
            <source>100 %: a hard edge; lower values fade the edge out</source>
            <translation>100 %: borde duro; valores menores difuminan el borde</translation>
        </message>
        <message>
            <source>Mask overlay opacity</source>
            <translation>Opacidad de la máscara superpuesta</translation>
        </message>
        <message>
            <source>How strongly the mask is tinted over the picture (display only)</source>
            <translation>Intensidad con que la máscara tiñe la imagen (solo visualización)</translation>
        </message>
        <message>
            <source>Size</source>
            <translation>Tamaño</translation>
        </message>
        <message>
            <source>Hardness</source>
            <translation>Dureza</translation>
        </message>
        <message>
            <source>Overlay</source>
            <translation>Superposición</translation>
        </message>
        <message>
            <source>Invert</source>
            <translation>Invertir</translation>
        </message>
        <message>
            <source>Swap painted and unpainted areas</source>
            <translation>Intercambia las zonas pintadas y sin pintar</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>Borrar</translation>
        </message>
        <message>
            <source>Remove the whole mask</source>
            <translation>Quita toda la máscara</translation>
        </message>
        <message>
            <source>Undo</source>
            <translation>Deshacer</translation>
        </message>
        <message>
            <source>Undo the last stroke (Ctrl+Z)</source>
            <translation>Deshace el último trazo (Ctrl+Z)</translation>
        </message>
        <message>
            <source>Redo</source>
            <translation>Rehacer</translation>
        </message>
        <message>
            <source>Redo the stroke (Ctrl+Shift+Z)</source>
            <translation>Rehace el trazo (Ctrl+Mayús+Z)</translation>
        </message>
        <message>
            <source>Redraw</source>
            <translation>Redibujar</translation>
        </message>
        <message>
            <source>Denoising strength</source>
            <translation>Intensidad de eliminación de ruido</translation>
        </message>
        <message>
            <source>How much of the picture is redrawn: 0 keeps it, 1 replaces it</source>
            <translation>Cuánto de la imagen se redibuja: 0 la conserva, 1 la sustituye</translation>
        </message>
        <message>
            <source>&amp;Strength</source>
            <translation>&amp;Intensidad</translation>
        </message>
        <message>
            <source>At the picture's size</source>
            <translation>Al tamaño de la imagen</translation>
        </message>
        <message>
            <source>Output at the picture's size</source>
            <translation>Resultado al tamaño de la imagen</translation>
        </message>
        <message>
            <source>Generate at the picture's size (plus margins), rounded to 8 px; off: at the size set in the left panel</source>
            <translation>Genera al tamaño de la imagen (más los márgenes), redondeado a 8 px; desactivado: al tamaño del panel izquierdo</translation>
        </message>
        <message>
            <source>Output</source>
            <translation>Resultado</translation>
        </message>
        <message>
            <source>Resize mode</source>
            <translation>Modo de redimensionado</translation>
        </message>
        <message>
            <source>How the picture is fitted to a different output size</source>
            <translation>Cómo se ajusta la imagen a otro tamaño de resultado</translation>
        </message>
        <message>
            <source>Just resize</source>
            <translation>Solo redimensionar</translation>
        </message>
        <message>
            <source>Crop and resize</source>
            <translation>Recortar y redimensionar</translation>
        </message>
        <message>
            <source>Resize and fill</source>
            <translation>Redimensionar y rellenar</translation>
        </message>
        <message>
            <source>&amp;Resize mode</source>
            <translation>&amp;Modo de redimensionado</translation>
        </message>
        <message>
            <source>Run exactly the steps set</source>
            <translation>Pasos exactos</translation>
        </message>
        <message>
            <source>Fixed steps</source>
            <translation>Pasos fijos</translation>
        </message>
        <message>
            <source>On: exactly Steps steps of a longer schedule (ComfyUI); off: strength × Steps steps, as A1111 does</source>
            <translation>Activado: exactamente Pasos pasos de un programa más largo (ComfyUI); desactivado: intensidad × Pasos pasos, como A1111</translation>
        </message>
        <message>
            <source>Steps</source>
            <translation>Pasos</translation>
        </message>
        <message>
            <source>Inpainting</source>
            <translation>Inpainting</translation>
        </message>
        <message>
            <source>Mask blur</source>
            <translation>Desenfoque de la máscara</translation>
        </message>
        <message>
            <source>Softens the mask's edge (Gaussian sigma in pixels)</source>
            <translation>Suaviza el borde de la máscara (sigma gaussiana en píxeles)</translation>
        </message>
        <message>
            <source>Mask &amp;blur</source>
            <translation>&amp;Desenfoque de la máscara</translation>
        </message>
        <message>
            <source>Redraw what is not painted</source>
            <translation>Redibujar lo no pintado</translation>
        </message>
        <message>
            <source>Inpaint not masked</source>
            <translation>Inpainting de lo no enmascarado</translation>
        </message>
        <message>
            <source>Keep the painted area and redraw the rest</source>
            <translation>Conserva la zona pintada y redibuja el resto</translation>
        </message>
        <message>
            <source>Inpaint area</source>
            <translation>Zona de inpainting</translation>
        </message>
        <message>
            <source>Whole picture: redraw it all at the output size; only masked: cut out the mask's box, redraw it at full size, paste it back</source>
            <translation>Imagen completa: se redibuja entera al tamaño del resultado; solo lo enmascarado: se recorta el recuadro de la máscara, se redibuja a tamaño completo y se vuelve a pegar</translation>
        </message>
        <message>
            <source>Whole picture</source>
            <translation>Imagen completa</translation>
        </message>
        <message>
            <source>Only masked</source>
            <translation>Solo lo enmascarado</translation>
        </message>
        <message>
            <source>Inpaint &amp;area</source>
            <translation>&amp;Zona de inpainting</translation>
        </message>
        <message>
            <source>Only masked padding</source>
            <translation>Margen de solo lo enmascarado</translation>
        </message>
        <message>
            <source>Context around the mask's box that is cut out with it</source>
            <translation>Contexto alrededor del recuadro de la máscara que se recorta con él</translation>
        </message>
        <message>
            <source>&amp;Padding</source>
            <translation>&amp;Margen</translation>
        </message>
        <message>
            <source>Masked content</source>
            <translation>Contenido enmascarado</translation>
        </message>
        <message>
            <source>What the masked area starts from before it is redrawn</source>
            <translation>De qué parte la zona enmascarada antes de redibujarse</translation>
        </message>
        <message>
            <source>Original</source>
            <translation>Original</translation>
        </message>
        <message>
            <source>Fill</source>
            <translation>Relleno</translation>
        </message>
        <message>
            <source>Latent noise</source>
            <translation>Ruido latente</translation>
        </message>
        <message>
            <source>Latent nothing</source>
            <translation>Latente vacío</translation>
        </message>
        <message>
            <source>Masked &amp;content</source>
            <translation>&amp;Contenido enmascarado</translation>
        </message>
        <message>
            <source>Outpainting</source>
            <translation>Ampliación (outpainting)</translation>
        </message>
        <message>
            <source>Left</source>
            <translation>Izquierda</translation>
        </message>
        <message>
            <source>Top</source>
            <translation>Arriba</translation>
        </message>
        <message>
            <source>Right</source>
            <translation>Derecha</translation>
        </message>
        <message>
            <source>Bottom</source>
            <translation>Abajo</translation>
        </message>
        <message>
            <source>%1 outpaint margin</source>
            <translation>Margen de ampliación: %1</translation>
        </message>
        <message>
            <source>Pixels added on this side (a multiple of 8)</source>
            <translation>Píxeles que se añaden por este lado (múltiplo de 8)</translation>
        </message>
        <message>
            <source>Outpaint fill</source>
            <translation>Relleno de la ampliación</translation>
        </message>
        <message>
            <source>What the new area starts from</source>
            <translation>De qué parte la zona nueva</translation>
        </message>
        <message>
            <source>Stretch the edge</source>
            <translation>Estirar el borde</translation>
        </message>
        <message>
            <source>Neutral grey</source>
            <translation>Gris neutro</translation>
        </message>
        <message>
            <source>&amp;Fill</source>
            <translation>&amp;Relleno</translation>
        </message>
        <message>
            <source>Outpaint feather</source>
            <translation>Fundido de la ampliación</translation>
        </message>
        <message>
            <source>How far the new area blends into the picture</source>
            <translation>Hasta dónde se funde la zona nueva con la imagen</translation>
        </message>
        <message>
            <source>F&amp;eather</source>
            <translation>&amp;Fundido</translation>
        </message>
        <message>
            <source>Fill all</source>
            <translation>Rellenar todo</translation>
        </message>
        <message>
            <source>Mask the whole picture (redraw all of it)</source>
            <translation>Enmascarar toda la imagen (volver a dibujarla entera)</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::EditSession</name>
        <message>
            <source>Edit canvas</source>
            <translation>Lienzo de edición</translation>
        </message>
        <message>
            <source>Paint the area to redraw. Wheel: zoom; middle or right drag: pan</source>
            <translation>Pinta la zona que se redibuja. Rueda: zoom; arrastrar con el botón central o derecho: desplazar</translation>
        </message>
        <message>
            <source>Open a picture to edit: File ▸ Open for editing, drop it here, “Edit” on a gallery item, or “Send to edit” under a result.

Paint the area to redraw, or drag the edges outwards with “Extend” to outpaint; Generate redraws it.</source>
            <translation>Abre una imagen para editar: Archivo ▸ Abrir imagen para editar, suéltala aquí, «Editar» en un elemento de la galería o «Enviar a edición» bajo un resultado.

Pinta la zona que se redibuja, o arrastra los bordes hacia fuera con «Ampliar» para ampliar la imagen; Generar la redibuja.</translation>
        </message>
        <message>
            <source>Open…</source>
            <translation>Abrir…</translation>
        </message>
        <message>
            <source>Open a picture to edit</source>
            <translation>Abrir una imagen para editar</translation>
        </message>
        <message>
            <source>Zoom to fit</source>
            <translation>Ajustar a la ventana</translation>
        </message>
        <message>
            <source>Brush</source>
            <translation>Pincel</translation>
        </message>
        <message>
            <source>Eraser</source>
            <translation>Borrador</translation>
        </message>
        <message>
            <source>Swap brush and eraser</source>
            <translation>Alternar pincel y borrador</translation>
        </message>
        <message>
            <source>Smaller brush</source>
            <translation>Pincel más pequeño</translation>
        </message>
        <message>
            <source>Larger brush</source>
            <translation>Pincel más grande</translation>
        </message>
        <message>
            <source>Undo stroke</source>
            <translation>Deshacer trazo</translation>
        </message>
        <message>
            <source>Redo stroke</source>
            <translation>Rehacer trazo</translation>
        </message>
        <message>
            <source>Cannot open %1 for editing.</source>
            <translation>No se puede abrir %1 para editar.</translation>
        </message>
        <message>
            <source>Images (*.png *.jpg *.jpeg *.webp *.bmp)</source>
            <translation>Imágenes (*.png *.jpg *.jpeg *.webp *.bmp)</translation>
        </message>
        <message>
            <source>Open a picture to edit first.</source>
            <translation>Abre primero una imagen para editar.</translation>
        </message>
        <message>
            <source>%1 is %2×%3 pixels; pictures of at most %4 pixels a side can be edited.</source>
            <translation>%1 mide %2×%3 píxeles; solo se pueden editar imágenes de hasta %4 píxeles por lado.</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::ForwardProcessView</name>
        <message>
            <source>Open image…</source>
            <translation>Abrir imagen…</translation>
        </message>
        <message>
            <source>Seed of the noise ε</source>
            <translation>Semilla del ruido ε</translation>
        </message>
        <message>
            <source>Noise seed</source>
            <translation>Semilla del ruido</translation>
        </message>
        <message>
            <source>Pick an image in the gallery and choose Forward process, or open an image file.</source>
            <translation>Elige una imagen en la galería y pulsa Proceso directo, o abre un archivo de imagen.</translation>
        </message>
        <message>
            <source>x_t appears here.</source>
            <translation>x_t aparece aquí.</translation>
        </message>
        <message>
            <source>Timestep t: 0 is the clean image, the end is almost pure noise</source>
            <translation>Paso de tiempo t: 0 es la imagen limpia, el final es casi ruido puro</translation>
        </message>
        <message>
            <source>t</source>
            <translation>t</translation>
        </message>
        <message>
            <source>Computing x_%1…</source>
            <translation>Calculando x_%1…</translation>
        </message>
        <message>
            <source>t = %1   ᾱ_t = %2   SNR = %3</source>
            <translation>t = %1   ᾱ_t = %2   SNR = %3</translation>
        </message>
        <message>
            <source>t = %1</source>
            <translation>t = %1</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::GalleryView</name>
        <message>
            <source>Favourite</source>
            <translation>Favorita</translation>
        </message>
        <message>
            <source>Mark or unmark as favourite (F)</source>
            <translation>Marcar o desmarcar como favorita (F)</translation>
        </message>
        <message>
            <source>Restore parameters</source>
            <translation>Restaurar parámetros</translation>
        </message>
        <message>
            <source>Compare</source>
            <translation>Comparar</translation>
        </message>
        <message>
            <source>Compare the two selected images</source>
            <translation>Comparar las dos imágenes seleccionadas</translation>
        </message>
        <message>
            <source>Forward process</source>
            <translation>Proceso directo</translation>
        </message>
        <message>
            <source>Show how noise destroys this image</source>
            <translation>Mostrar cómo el ruido destruye esta imagen</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>Eliminar</translation>
        </message>
        <message>
            <source>Favourites only</source>
            <translation>Solo favoritas</translation>
        </message>
        <message>
            <source>Show only favourites</source>
            <translation>Mostrar solo las favoritas</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>Actualizar</translation>
        </message>
        <message>
            <source>Delete images</source>
            <translation>Eliminar imágenes</translation>
        </message>
        <message numerus="yes">
            <source>Delete %n selected image(s)?</source>
            <translation>
                <numerusform>¿Eliminar %n imagen seleccionada?</numerusform>
                <numerusform>¿Eliminar las %n imágenes seleccionadas?</numerusform>
            </translation>
        </message>
        <message>
            <source>Move to Trash</source>
            <translation>Mover a la papelera</translation>
        </message>
        <message>
            <source>Delete Permanently</source>
            <translation>Eliminar definitivamente</translation>
        </message>
        <message>
            <source>Edit</source>
            <translation>Editar</translation>
        </message>
        <message>
            <source>Open this image on the edit page to paint a mask, redraw or extend it</source>
            <translation>Abre esta imagen en la página de edición para pintar una máscara, redibujarla o ampliarla</translation>
        </message>
        <message>
            <source>Made from</source>
            <translation>Hecha a partir de</translation>
        </message>
        <message>
            <source>Compare this result with the picture it was made from</source>
            <translation>Compara este resultado con la imagen de la que se hizo</translation>
        </message>
        <message>
            <source>source</source>
            <translation>origen</translation>
        </message>
        <message>
            <source>From: &lt;a href=&quot;source&quot;&gt;%1&lt;/a&gt;</source>
            <translation>De: &lt;a href=&quot;source&quot;&gt;%1&lt;/a&gt;</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::GenerationController</name>
        <message>
            <source>Cancelled before it started.</source>
            <translation>Cancelado antes de empezar.</translation>
        </message>
        <message>
            <source>Cancelled on exit.</source>
            <translation>Cancelado al salir.</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::GenerationWorker</name>
        <message>
            <source>Cancelled before it started.</source>
            <translation>Cancelado antes de empezar.</translation>
        </message>
        <message numerus="yes">
            <source>Cancelled after %n image(s).</source>
            <translation>
                <numerusform>Cancelado tras %n imagen.</numerusform>
                <numerusform>Cancelado tras %n imágenes.</numerusform>
            </translation>
        </message>
        <message>
            <source>Unknown error in the generation core.</source>
            <translation>Error desconocido en el núcleo de generación.</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::HiresPanel</name>
        <message>
            <source>Hires fix</source>
            <translation>Hires fix (segunda pasada)</translation>
        </message>
        <message>
            <source>Generate at this size, then redraw the result larger in a second pass</source>
            <translation>Genera a este tamaño y luego redibuja el resultado más grande en una segunda pasada</translation>
        </message>
        <message>
            <source>Upscale by</source>
            <translation>Ampliar por</translation>
        </message>
        <message>
            <source>How much larger the second pass is</source>
            <translation>Cuánto más grande es la segunda pasada</translation>
        </message>
        <message>
            <source>Upscaler</source>
            <translation>Ampliador</translation>
        </message>
        <message>
            <source>How the first pass is enlarged before it is redrawn</source>
            <translation>Cómo se amplía la primera pasada antes de redibujarla</translation>
        </message>
        <message>
            <source>Hires steps</source>
            <translation>Pasos de la segunda pasada</translation>
        </message>
        <message>
            <source>Steps of the second pass; 0 = as many as the first</source>
            <translation>Pasos de la segunda pasada; 0 = los mismos que la primera</translation>
        </message>
        <message>
            <source>same</source>
            <translation>los mismos</translation>
        </message>
        <message>
            <source>Hires denoising strength</source>
            <translation>Intensidad de eliminación de ruido de la segunda pasada</translation>
        </message>
        <message>
            <source>How much the second pass redraws</source>
            <translation>Cuánto redibuja la segunda pasada</translation>
        </message>
        <message>
            <source>Denoising</source>
            <translation>Eliminación de ruido</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::JobQueue</name>
        <message>
            <source>Queued</source>
            <translation>En cola</translation>
        </message>
        <message>
            <source>Running</source>
            <translation>En curso</translation>
        </message>
        <message>
            <source>Completed</source>
            <translation>Completado</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>Fallido</translation>
        </message>
        <message>
            <source>Cancelled</source>
            <translation>Cancelado</translation>
        </message>
        <message>
            <source>(empty prompt)</source>
            <translation>(prompt vacío)</translation>
        </message>
        <message>
            <source>#%1 %2 — %3</source>
            <translation>#%1 %2 — %3</translation>
        </message>
        <message>
            <source>(image %1/%2, step %3/%4)</source>
            <translation>(imagen %1/%2, paso %3/%4)</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::LibraryPage</name>
        <message>
            <source>The library settings could not be read; they are left as they are: %1</source>
            <translation>No se pudo leer la configuración de la biblioteca; se deja como está: %1</translation>
        </message>
        <message>
            <source>Lienzo reads checkpoints, LoRAs, embeddings, VAEs and ControlNets where they lie: add an AUTOMATIC1111 or ComfyUI install (its model folders and extra_model_paths.yaml) or any folder. Nothing is copied.</source>
            <translation>Lienzo lee checkpoints, LoRA, embeddings, VAE y ControlNet donde están: añade una instalación de AUTOMATIC1111 o de ComfyUI (sus carpetas de modelos y extra_model_paths.yaml) o cualquier carpeta. No se copia nada.</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Tipo</translation>
        </message>
        <message>
            <source>Contents</source>
            <translation>Contenido</translation>
        </message>
        <message>
            <source>Folder</source>
            <translation>Carpeta</translation>
        </message>
        <message>
            <source>Add A1111 install…</source>
            <translation>Añadir instalación de A1111…</translation>
        </message>
        <message>
            <source>Add ComfyUI install…</source>
            <translation>Añadir instalación de ComfyUI…</translation>
        </message>
        <message>
            <source>Add folder…</source>
            <translation>Añadir carpeta…</translation>
        </message>
        <message>
            <source>What a plain folder holds</source>
            <translation>Qué contiene una carpeta simple</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Quitar</translation>
        </message>
        <message>
            <source>Rescan now</source>
            <translation>Volver a explorar</translation>
        </message>
        <message>
            <source>holding</source>
            <translation>con</translation>
        </message>
        <message>
            <source>A1111 install</source>
            <translation>Instalación de A1111</translation>
        </message>
        <message>
            <source>ComfyUI install</source>
            <translation>Instalación de ComfyUI</translation>
        </message>
        <message>
            <source>Detect per file</source>
            <translation>Detectar por archivo</translation>
        </message>
        <message>
            <source>Checkpoints</source>
            <translation>Checkpoints</translation>
        </message>
        <message>
            <source>LoRAs</source>
            <translation>LoRA</translation>
        </message>
        <message>
            <source>Embeddings</source>
            <translation>Embeddings</translation>
        </message>
        <message>
            <source>VAEs</source>
            <translation>VAE</translation>
        </message>
        <message>
            <source>ControlNets</source>
            <translation>ControlNet</translation>
        </message>
        <message>
            <source>Choose the AUTOMATIC1111 folder</source>
            <translation>Elige la carpeta de AUTOMATIC1111</translation>
        </message>
        <message>
            <source>Choose the ComfyUI folder</source>
            <translation>Elige la carpeta de ComfyUI</translation>
        </message>
        <message>
            <source>Choose a folder of models</source>
            <translation>Elige una carpeta de modelos</translation>
        </message>
        <message>
            <source>%1 is in the list already.</source>
            <translation>%1 ya está en la lista.</translation>
        </message>
        <message>
            <source>%1 does not look like a %2; added anyway (check the folder).</source>
            <translation>%1 no parece una %2; se ha añadido de todos modos (revisa la carpeta).</translation>
        </message>
        <message>
            <source>Every model folder</source>
            <translation>Todas las carpetas de modelos</translation>
        </message>
        <message>
            <source>This folder does not exist (now).</source>
            <translation>Esta carpeta no existe (ahora).</translation>
        </message>
        <message>
            <source>No library yet: add an install or a folder.</source>
            <translation>Aún no hay biblioteca: añade una instalación o una carpeta.</translation>
        </message>
        <message>
            <source>Stored in %1</source>
            <translation>Guardado en %1</translation>
        </message>
        <message>
            <source>The library settings were not saved: the file could not be read.</source>
            <translation>La configuración de la biblioteca no se guardó: no se pudo leer el archivo.</translation>
        </message>
        <message>
            <source>Preview decoders (TAESD)</source>
            <translation>Decodificadores de vista previa (TAESD)</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::LibraryScanner</name>
        <message>
            <source>The library folder %1 does not exist.</source>
            <translation>La carpeta de la biblioteca %1 no existe.</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::MainWindow</name>
        <message>
            <source>Lienzo</source>
            <translation>Lienzo</translation>
        </message>
        <message>
            <source>Generate</source>
            <translation>Generar</translation>
        </message>
        <message>
            <source>Compare</source>
            <translation>Comparar</translation>
        </message>
        <message>
            <source>Forward process</source>
            <translation>Proceso directo</translation>
        </message>
        <message>
            <source>&lt;b&gt;Queue&lt;/b&gt;</source>
            <translation>&lt;b&gt;Cola&lt;/b&gt;</translation>
        </message>
        <message>
            <source>The image could not be saved to the gallery: %1</source>
            <translation>No se pudo guardar la imagen en la galería: %1</translation>
        </message>
        <message>
            <source>Forward process: %1</source>
            <translation>Proceso directo: %1</translation>
        </message>
        <message>
            <source>Type a prompt and press Generate (Ctrl+Enter).
Every step appears here as the noise resolves into an image.

Drop a PNG from Lienzo, A1111, ComfyUI or InvokeAI here to restore its parameters.</source>
            <translation>Escribe un prompt y pulsa Generar (Ctrl+Intro).
Cada paso aparece aquí mientras el ruido se convierte en una imagen.

Suelta aquí un PNG de Lienzo, A1111, ComfyUI o InvokeAI para restaurar sus parámetros.</translation>
        </message>
        <message>
            <source>Zoom to fit (Ctrl+0)</source>
            <translation>Ajustar a la ventana (Ctrl+0)</translation>
        </message>
        <message>
            <source>Actual size, 1:1 (Ctrl+1)</source>
            <translation>Tamaño real, 1:1 (Ctrl+1)</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>&amp;Archivo</translation>
        </message>
        <message>
            <source>&amp;Restore parameters from image…</source>
            <translation>&amp;Restaurar parámetros desde una imagen…</translation>
        </message>
        <message>
            <source>Restore parameters from image</source>
            <translation>Restaurar parámetros desde una imagen</translation>
        </message>
        <message>
            <source>PNG images (*.png)</source>
            <translation>Imágenes PNG (*.png)</translation>
        </message>
        <message>
            <source>&amp;Settings…</source>
            <translation>&amp;Preferencias…</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>&amp;Salir</translation>
        </message>
        <message>
            <source>&amp;Generate</source>
            <translation>&amp;Generar</translation>
        </message>
        <message>
            <source>&amp;Stop now</source>
            <translation>&amp;Detener ya</translation>
        </message>
        <message>
            <source>&amp;Finish current image</source>
            <translation>&amp;Terminar la imagen actual</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>&amp;Ver</translation>
        </message>
        <message>
            <source>Zoom to &amp;fit</source>
            <translation>&amp;Ajustar a la ventana</translation>
        </message>
        <message>
            <source>&amp;Actual size</source>
            <translation>Tamaño &amp;real</translation>
        </message>
        <message>
            <source>Zoom &amp;in</source>
            <translation>&amp;Acercar</translation>
        </message>
        <message>
            <source>Zoom &amp;out</source>
            <translation>Ale&amp;jar</translation>
        </message>
        <message>
            <source>&amp;Play the steps</source>
            <translation>&amp;Reproducir los pasos</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>Ay&amp;uda</translation>
        </message>
        <message>
            <source>&amp;About Lienzo</source>
            <translation>&amp;Acerca de Lienzo</translation>
        </message>
        <message>
            <source>Ready</source>
            <translation>Listo</translation>
        </message>
        <message>
            <source>%v/%m</source>
            <translation>%v/%m</translation>
        </message>
        <message>
            <source>No model to generate with: the built-in model is not installed. Add a model with “Add model…” next to the model picker.</source>
            <translation>No hay modelo con el que generar: el modelo integrado no está instalado. Añade un modelo con «Añadir modelo…» junto al selector de modelos.</translation>
        </message>
        <message>
            <source>Queued job #%1</source>
            <translation>Trabajo #%1 en cola</translation>
        </message>
        <message>
            <source>Stopping…</source>
            <translation>Deteniendo…</translation>
        </message>
        <message>
            <source>Finishing the current image…</source>
            <translation>Terminando la imagen actual…</translation>
        </message>
        <message>
            <source>Loading the model and encoding the prompt…</source>
            <translation>Cargando el modelo y codificando el prompt…</translation>
        </message>
        <message>
            <source>Step %1</source>
            <translation>Paso %1</translation>
        </message>
        <message>
            <source>Image %1/%2 · </source>
            <translation>Imagen %1/%2 · </translation>
        </message>
        <message>
            <source>Step %1/%2</source>
            <translation>Paso %1/%2</translation>
        </message>
        <message>
            <source> · %1 it/s</source>
            <translation> · %1 it/s</translation>
        </message>
        <message>
            <source> · ETA %1</source>
            <translation> · faltan %1</translation>
        </message>
        <message>
            <source>Final</source>
            <translation>Final</translation>
        </message>
        <message>
            <source>Done: job #%1</source>
            <translation>Hecho: trabajo #%1</translation>
        </message>
        <message>
            <source>Cancelled: job #%1</source>
            <translation>Cancelado: trabajo #%1</translation>
        </message>
        <message>
            <source>Failed: job #%1</source>
            <translation>Fallido: trabajo #%1</translation>
        </message>
        <message>
            <source>Generation failed: %1</source>
            <translation>La generación falló: %1</translation>
        </message>
        <message>
            <source>%1 carries no generation parameters.</source>
            <translation>%1 no contiene parámetros de generación.</translation>
        </message>
        <message>
            <source>Model “%1” is not in your model list; kept “%2”.</source>
            <translation>El modelo «%1» no está en tu lista de modelos; se mantiene «%2».</translation>
        </message>
        <message>
            <source>Could not read “%1”.</source>
            <translation>No se pudo leer «%1».</translation>
        </message>
        <message>
            <source>Restored the parameters of %1.</source>
            <translation>Parámetros de %1 restaurados.</translation>
        </message>
        <message>
            <source>Restored the parameters of %1, except: %2</source>
            <translation>Parámetros de %1 restaurados, excepto: %2</translation>
        </message>
        <message>
            <source>Cannot open %1.</source>
            <translation>No se puede abrir %1.</translation>
        </message>
        <message>
            <source>Open an image</source>
            <translation>Abrir una imagen</translation>
        </message>
        <message>
            <source>Images (*.png *.jpg *.jpeg *.webp *.bmp)</source>
            <translation>Imágenes (*.png *.jpg *.jpeg *.webp *.bmp)</translation>
        </message>
        <message>
            <source>About Lienzo</source>
            <translation>Acerca de Lienzo</translation>
        </message>
        <message>
            <source>&lt;b&gt;Lienzo %1&lt;/b&gt;&lt;br&gt;A native latent-diffusion image studio.</source>
            <translation>&lt;b&gt;Lienzo %1&lt;/b&gt;&lt;br&gt;Un estudio nativo de imágenes por difusión latente.</translation>
        </message>
        <message>
            <source>Gallery</source>
            <translation>Galería</translation>
        </message>
        <message>
            <source>LoRA &amp;&amp; embeddings</source>
            <translation>LoRA y embeddings</translation>
        </message>
        <message>
            <source>Scanning the model library…</source>
            <translation>Explorando la biblioteca de modelos…</translation>
        </message>
        <message>
            <source>Scanning the model library: %1/%2 files</source>
            <translation>Explorando la biblioteca de modelos: %1/%2 archivos</translation>
        </message>
        <message>
            <source>Job #%1: %2</source>
            <translation>Trabajo n.º %1: %2</translation>
        </message>
        <message>
            <source>Res&amp;can model library</source>
            <translation>&amp;Volver a explorar la biblioteca de modelos</translation>
        </message>
        <message>
            <source>LoRA “%1” is “%2” in your library (same hash); the prompt uses that name.</source>
            <translation>El LoRA «%1» es «%2» en tu biblioteca (mismo hash); el prompt usa ese nombre.</translation>
        </message>
        <message>
            <source>LoRA “%1” (hash %2) is not in your library.</source>
            <translation>El LoRA «%1» (hash %2) no está en tu biblioteca.</translation>
        </message>
        <message>
            <source>The model library settings were not saved: %1</source>
            <translation>La configuración de la biblioteca de modelos no se guardó: %1</translation>
        </message>
        <message>
            <source>The model library settings could not be read: %1</source>
            <translation>No se pudo leer la configuración de la biblioteca de modelos: %1</translation>
        </message>
        <message>
            <source>Model library: %1 checkpoints, %2 LoRAs, %3 embeddings</source>
            <translation>Biblioteca de modelos: %1 checkpoints, %2 LoRA, %3 embeddings</translation>
        </message>
        <message>
            <source>Model library: %1</source>
            <translation>Biblioteca de modelos: %1</translation>
        </message>
        <message>
            <source>The model library is still being hashed; restore again when it is done.</source>
            <translation>La biblioteca de modelos aún se está procesando (hashes); vuelve a restaurar cuando termine.</translation>
        </message>
        <message>
            <source>Edit</source>
            <translation>Editar</translation>
        </message>
        <message>
            <source>Send to edit: open the picture shown on the edit page</source>
            <translation>Enviar a edición: abre la imagen mostrada en la página de edición</translation>
        </message>
        <message>
            <source>Send to edit</source>
            <translation>Enviar a edición</translation>
        </message>
        <message>
            <source>Generated image</source>
            <translation>Imagen generada</translation>
        </message>
        <message>
            <source>&amp;Open picture for editing…</source>
            <translation>&amp;Abrir imagen para editar…</translation>
        </message>
        <message>
            <source>Open a picture to edit</source>
            <translation>Abrir una imagen para editar</translation>
        </message>
        <message>
            <source>Open image for the &amp;forward process…</source>
            <translation>Abrir imagen para el proceso &amp;directo…</translation>
        </message>
        <message>
            <source>Source: %1</source>
            <translation>Origen: %1</translation>
        </message>
        <message>
            <source>Hires step %1</source>
            <translation>Paso de la segunda pasada %1</translation>
        </message>
        <message numerus="yes">
            <source>%n job(s) did not finish when Lienzo last ran. Generate ▸ Resume unfinished jobs makes what is left of them; nothing already saved is made again.</source>
            <translation>
                <numerusform>%n trabajo no terminó la última vez que se usó Lienzo. Generar ▸ Reanudar trabajos sin terminar hace lo que falta; nada de lo ya guardado se vuelve a hacer.</numerusform>
                <numerusform>%n trabajos no terminaron la última vez que se usó Lienzo. Generar ▸ Reanudar trabajos sin terminar hace lo que falta; nada de lo ya guardado se vuelve a hacer.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n unfinished job(s) queued again.</source>
            <translation>
                <numerusform>%n trabajo sin terminar vuelve a la cola.</numerusform>
                <numerusform>%n trabajos sin terminar vuelven a la cola.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::MaskDocument</name>
        <message>
            <source>Erase</source>
            <translation>Borrar</translation>
        </message>
        <message>
            <source>Paint</source>
            <translation>Pintar</translation>
        </message>
        <message>
            <source>Invert mask</source>
            <translation>Invertir máscara</translation>
        </message>
        <message>
            <source>Clear mask</source>
            <translation>Borrar máscara</translation>
        </message>
        <message>
            <source>Fill mask</source>
            <translation>Rellenar la máscara</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::MessageBar</name>
        <message>
            <source>Dismiss</source>
            <translation>Cerrar</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::NetworkBrowser</name>
        <message>
            <source>Filter by name…</source>
            <translation>Filtrar por nombre…</translation>
        </message>
        <message>
            <source>LoRA</source>
            <translation>LoRA</translation>
        </message>
        <message>
            <source>Embeddings</source>
            <translation>Embeddings</translation>
        </message>
        <message>
            <source>Text encoder</source>
            <translation>Codificador de texto</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modelo</translation>
        </message>
        <message>
            <source>Strength on the text encoder (−2 … 2)</source>
            <translation>Intensidad en el codificador de texto (−2 … 2)</translation>
        </message>
        <message>
            <source>Strength on the diffusion model (−2 … 2)</source>
            <translation>Intensidad en el modelo de difusión (−2 … 2)</translation>
        </message>
        <message>
            <source>LoRA (%1)</source>
            <translation>LoRA (%1)</translation>
        </message>
        <message>
            <source>Embeddings (%1)</source>
            <translation>Embeddings (%1)</translation>
        </message>
        <message>
            <source>TI</source>
            <translation>TI</translation>
        </message>
        <message>
            <source>pickle</source>
            <translation>pickle</translation>
        </message>
        <message>
            <source>Family: %1</source>
            <translation>Familia: %1</translation>
        </message>
        <message>
            <source>Not loadable: %1</source>
            <translation>No se puede cargar: %1</translation>
        </message>
        <message>
            <source>Made for %1; the current model is %2.</source>
            <translation>Hecho para %1; el modelo actual es %2.</translation>
        </message>
        <message>
            <source>&lt;b&gt;%1&lt;/b&gt; in the prompt</source>
            <translation>&lt;b&gt;%1&lt;/b&gt; en el prompt</translation>
        </message>
        <message>
            <source>Click a LoRA to add it to the prompt.</source>
            <translation>Haz clic en un LoRA para añadirlo al prompt.</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::PromptPanel</name>
        <message>
            <source>Generate</source>
            <translation>Generar</translation>
        </message>
        <message>
            <source>Generate (Ctrl+Enter)</source>
            <translation>Generar (Ctrl+Intro)</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancelar</translation>
        </message>
        <message>
            <source>Stop now</source>
            <translation>Detener ya</translation>
        </message>
        <message>
            <source>Finish current image</source>
            <translation>Terminar la imagen actual</translation>
        </message>
        <message>
            <source>&amp;Prompt</source>
            <translation>&amp;Prompt</translation>
        </message>
        <message>
            <source>Recent</source>
            <translation>Recientes</translation>
        </message>
        <message>
            <source>Recent prompts</source>
            <translation>Prompts recientes</translation>
        </message>
        <message>
            <source>Describe the image you want…</source>
            <translation>Describe la imagen que quieres…</translation>
        </message>
        <message>
            <source>&amp;Negative prompt</source>
            <translation>Prompt &amp;negativo</translation>
        </message>
        <message>
            <source>What the image should avoid…</source>
            <translation>Lo que la imagen debe evitar…</translation>
        </message>
        <message>
            <source>Add model…</source>
            <translation>Añadir modelo…</translation>
        </message>
        <message>
            <source>Add model file (.safetensors, .gguf)…</source>
            <translation>Añadir archivo de modelo (.safetensors, .gguf)…</translation>
        </message>
        <message>
            <source>Add folder of models…</source>
            <translation>Añadir carpeta de modelos…</translation>
        </message>
        <message>
            <source>&amp;Model</source>
            <translation>&amp;Modelo</translation>
        </message>
        <message>
            <source>&amp;Sampler</source>
            <translation>&amp;Muestreador</translation>
        </message>
        <message>
            <source>Sc&amp;hedule</source>
            <translation>Pro&amp;grama</translation>
        </message>
        <message>
            <source>S&amp;teps</source>
            <translation>Pa&amp;sos</translation>
        </message>
        <message>
            <source>&amp;CFG scale</source>
            <translation>Escala &amp;CFG</translation>
        </message>
        <message>
            <source>Guid&amp;ance</source>
            <translation>Guí&amp;a</translation>
        </message>
        <message>
            <source>Distilled guidance of Flux dev: how closely the picture follows the prompt. It is not CFG (CFG stays 1, one model call per step).</source>
            <translation>Guía destilada de Flux dev: cuánto se ciñe la imagen al prompt. No es CFG (CFG se queda en 1, una llamada al modelo por paso).</translation>
        </message>
        <message>
            <source>Width in pixels (a multiple of 8)</source>
            <translation>Ancho en píxeles (múltiplo de 8)</translation>
        </message>
        <message>
            <source>Height in pixels (a multiple of 8)</source>
            <translation>Alto en píxeles (múltiplo de 8)</translation>
        </message>
        <message>
            <source>Presets</source>
            <translation>Tamaños</translation>
        </message>
        <message>
            <source>%1 × %2</source>
            <translation>%1 × %2</translation>
        </message>
        <message>
            <source>Si&amp;ze</source>
            <translation>&amp;Tamaño</translation>
        </message>
        <message>
            <source>Seed; −1 picks a random seed for every image</source>
            <translation>Semilla; −1 elige una semilla aleatoria para cada imagen</translation>
        </message>
        <message>
            <source>Random seed (−1)</source>
            <translation>Semilla aleatoria (−1)</translation>
        </message>
        <message>
            <source>Reuse the last image's seed</source>
            <translation>Reutilizar la semilla de la última imagen</translation>
        </message>
        <message>
            <source>S&amp;eed</source>
            <translation>S&amp;emilla</translation>
        </message>
        <message>
            <source>How many images to make; image i uses seed + i</source>
            <translation>Cuántas imágenes crear; la imagen i usa semilla + i</translation>
        </message>
        <message>
            <source>&amp;Batch count</source>
            <translation>&amp;Cantidad de imágenes</translation>
        </message>
        <message>
            <source>Automatic</source>
            <translation>Automática</translation>
        </message>
        <message>
            <source>float32</source>
            <translation>float32</translation>
        </message>
        <message>
            <source>bfloat16</source>
            <translation>bfloat16</translation>
        </message>
        <message>
            <source>float16</source>
            <translation>float16</translation>
        </message>
        <message>
            <source>&amp;Device</source>
            <translation>&amp;Dispositivo</translation>
        </message>
        <message>
            <source>Steps %1 is out of range.</source>
            <translation>Pasos %1 está fuera de rango.</translation>
        </message>
        <message>
            <source>Unknown sampler “%1”; kept %2.</source>
            <translation>Muestreador desconocido «%1»; se mantiene %2.</translation>
        </message>
        <message>
            <source>Unknown schedule “%1”; kept %2.</source>
            <translation>Programa desconocido «%1»; se mantiene %2.</translation>
        </message>
        <message>
            <source>Size %1×%2 is outside %3–%4.</source>
            <translation>El tamaño %1×%2 está fuera de %3–%4.</translation>
        </message>
        <message>
            <source>Add a folder of models</source>
            <translation>Añadir una carpeta de modelos</translation>
        </message>
        <message>
            <source>Add a model</source>
            <translation>Añadir un modelo</translation>
        </message>
        <message>
            <source>Models (*.safetensors *.gguf)</source>
            <translation>Modelos (*.safetensors *.gguf)</translation>
        </message>
        <message>
            <source>Reuse the last image's seed (%1)</source>
            <translation>Reutilizar la semilla de la última imagen (%1)</translation>
        </message>
        <message>
            <source>No recent prompts</source>
            <translation>No hay prompts recientes</translation>
        </message>
        <message>
            <source>Clear history</source>
            <translation>Borrar el historial</translation>
        </message>
        <message>
            <source>Stop now (Esc). The arrow offers “Finish current image” (Shift+Esc).</source>
            <translation>Detener ya (Esc). La flecha ofrece «Terminar la imagen actual» (Mayús+Esc).</translation>
        </message>
        <message>
            <source>Uniform</source>
            <translation>Uniforme</translation>
        </message>
        <message>
            <source>Exponential</source>
            <translation>Exponencial</translation>
        </message>
        <message>
            <source>Polyexponential</source>
            <translation>Poliexponencial</translation>
        </message>
        <message>
            <source>SGM Uniform</source>
            <translation>SGM uniforme</translation>
        </message>
        <message>
            <source>Simple</source>
            <translation>Simple</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::QueuePanel</name>
        <message>
            <source>Remove</source>
            <translation>Quitar</translation>
        </message>
        <message>
            <source>Clear finished</source>
            <translation>Quitar terminados</translation>
        </message>
        <message>
            <source>Remove the selected jobs that have not started</source>
            <translation>Quitar los trabajos seleccionados que no han empezado</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::SchedulePlot</name>
        <message>
            <source>Noise schedule: ᾱ_t (signal kept) and the signal-to-noise ratio</source>
            <translation>Programa de ruido: ᾱ_t (señal conservada) y la relación señal/ruido</translation>
        </message>
        <message>
            <source>No schedule (no model loaded)</source>
            <translation>Sin programa (ningún modelo cargado)</translation>
        </message>
        <message>
            <source>timestep t</source>
            <translation>paso de tiempo t</translation>
        </message>
        <message>
            <source>ᾱ_t (signal kept)</source>
            <translation>ᾱ_t (señal conservada)</translation>
        </message>
        <message>
            <source>SNR (log scale)</source>
            <translation>SNR (escala logarítmica)</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::SettingsDialog</name>
        <message>
            <source>Show a preview at every step</source>
            <translation>Mostrar una vista previa en cada paso</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>Preferencias</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>Examinar…</translation>
        </message>
        <message>
            <source>Gallery folder</source>
            <translation>Carpeta de la galería</translation>
        </message>
        <message>
            <source>System default</source>
            <translation>Predeterminado del sistema</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>Idioma</translation>
        </message>
        <message>
            <source>The language changes at the next start.</source>
            <translation>El idioma cambia en el próximo inicio.</translation>
        </message>
        <message>
            <source>General</source>
            <translation>General</translation>
        </message>
        <message>
            <source>Model library</source>
            <translation>Biblioteca de modelos</translation>
        </message>
        <message>
            <source>Fast decode: make the final picture with TAESD</source>
            <translation>Decodificación rápida: crear la imagen final con TAESD</translation>
        </message>
        <message>
            <source>Linear (fast, blurry)</source>
            <translation>Lineal (rápida, borrosa)</translation>
        </message>
        <message>
            <source>TAESD (the real picture, at most 5 % slower)</source>
            <translation>TAESD (la imagen real, como mucho un 5 % más lenta)</translation>
        </message>
        <message>
            <source>Full VAE every N steps (slow)</source>
            <translation>VAE completo cada N pasos (lento)</translation>
        </message>
        <message>
            <source>every </source>
            <translation>cada </translation>
        </message>
        <message>
            <source> steps</source>
            <translation> pasos</translation>
        </message>
        <message>
            <source>The model library's VAE-approx folders</source>
            <translation>Las carpetas VAE-approx de la biblioteca de modelos</translation>
        </message>
        <message>
            <source>TAESD decoder</source>
            <translation>Decodificador TAESD</translation>
        </message>
        <message>
            <source>Safetensors (*.safetensors)</source>
            <translation>Safetensors (*.safetensors)</translation>
        </message>
        <message>
            <source>Previews</source>
            <translation>Vistas previas</translation>
        </message>
        <message>
            <source>TAESD file or folder</source>
            <translation>Archivo o carpeta de TAESD</translation>
        </message>
        <message>
            <source>Without TAESD weights (taesd_decoder.safetensors, taesdxl_decoder.safetensors) previews are linear.</source>
            <translation>Sin pesos de TAESD (taesd_decoder.safetensors, taesdxl_decoder.safetensors) las vistas previas son lineales.</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::Timeline</name>
        <message>
            <source>Every step of the reverse process; click one to see it.</source>
            <translation>Cada paso del proceso inverso; pulsa uno para verlo.</translation>
        </message>
        <message>
            <source>Play the steps as an animation</source>
            <translation>Reproducir los pasos como animación</translation>
        </message>
        <message>
            <source>Scrub through the steps</source>
            <translation>Recorrer los pasos</translation>
        </message>
        <message>
            <source>No steps</source>
            <translation>Sin pasos</translation>
        </message>
        <message>
            <source>%1 (%2 of %3)</source>
            <translation>%1 (%2 de %3)</translation>
        </message>
    </context>
    <context>
        <name>lienzo::ui::UnfinishedJobs</name>
        <message>
            <source>&amp;Discard unfinished jobs</source>
            <translation>&amp;Descartar trabajos sin terminar</translation>
        </message>
        <message>
            <source>Runs what is left of the jobs the last session did not finish</source>
            <translation>Hace lo que falta de los trabajos que la última sesión no terminó</translation>
        </message>
        <message>
            <source>Forgets the jobs the last session did not finish</source>
            <translation>Olvida los trabajos que la última sesión no terminó</translation>
        </message>
        <message>
            <source>An unfinished job could not be read (%1).</source>
            <translation>No se pudo leer un trabajo sin terminar (%1).</translation>
        </message>
        <message>
            <source>&amp;Resume unfinished jobs (%1)</source>
            <translation>&amp;Reanudar trabajos sin terminar (%1)</translation>
        </message>
        <message>
            <source>&amp;Resume unfinished jobs</source>
            <translation>&amp;Reanudar trabajos sin terminar</translation>
        </message>
    </context>
</TS>
