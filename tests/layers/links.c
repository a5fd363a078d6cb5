/* The program of each layer's link check (dlo_layer_links in CMakeLists.txt): it calls nothing,
 * so every symbol the layer's objects need comes from the libraries that layer links, or the
 * link fails. */
int main(void)
{
    return 0;
}
